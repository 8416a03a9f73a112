"""The store: the only code that touches DynamoDB."""

from achievements.store.achievements import AchievementStore

__all__ = ["AchievementStore"]
