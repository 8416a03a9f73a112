"""Docker-free local stack: DynamoDB Local, the template's tables and API routes, run in-process."""
