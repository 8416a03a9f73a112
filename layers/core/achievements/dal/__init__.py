"""The store: the only code that touches DynamoDB."""

from achievements.dal.store import AchievementStore

__all__ = ["AchievementStore"]
