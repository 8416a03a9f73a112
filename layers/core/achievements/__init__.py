"""Achievement Collector core layer: models, pure rules, use cases and the DynamoDB store."""
