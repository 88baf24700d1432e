"""Environment values the tests fill placeholders with."""

# What `terraform output -json sre_values` gives in each environment (made-up accounts; prod's is
# moto's default account, so the deploy tests' topics are found where moto creates them).
DEV_VALUES = {
    "api_alb_arn_suffix": "app/sre-dev-api/1111111111111111",
    "api_target_group_arn_suffix": "targetgroup/sre-dev-api/2a2a2a2a2a2a2a2a",
    "state_machine_arn": "arn:aws:states:eu-west-1:111111111111:stateMachine:sre-dev-pipeline",
    "batch_job_queue_name": "sre-dev-jobs",
    "page_topic_arn": "arn:aws:sns:eu-west-1:111111111111:sre-dev-page",
    "ticket_topic_arn": "arn:aws:sns:eu-west-1:111111111111:sre-dev-ticket",
    "aws_region": "eu-west-1",
    "aws_account_id": "111111111111",
    "environment": "dev",
}
PROD_VALUES = {
    "api_alb_arn_suffix": "app/sre-prod-api/3333333333333333",
    "api_target_group_arn_suffix": "targetgroup/sre-prod-api/4444444444444444",
    "state_machine_arn": "arn:aws:states:us-east-1:123456789012:stateMachine:sre-prod-pipeline",
    "batch_job_queue_name": "sre-prod-jobs",
    "page_topic_arn": "arn:aws:sns:us-east-1:123456789012:sre-prod-page",
    "ticket_topic_arn": "arn:aws:sns:us-east-1:123456789012:sre-prod-ticket",
    "aws_region": "us-east-1",
    "aws_account_id": "123456789012",
    "environment": "prod",
}
