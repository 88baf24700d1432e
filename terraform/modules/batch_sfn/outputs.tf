output "job_queue_arn" {
  description = "ARN of the Batch job queue."
  value       = aws_batch_job_queue.this.arn
}

output "job_queue_name" {
  description = "Name of the Batch job queue (the `JobQueue` dimension of Custom/Batch OldestRunnableJobAgeSeconds)."
  value       = aws_batch_job_queue.this.name
}

output "job_definition_arn" {
  description = "ARN of the current revision of the job definition."
  value       = aws_batch_job_definition.this.arn
}

output "job_definition_arn_prefix" {
  description = "ARN of the job definition without its revision, for IAM policies covering every revision."
  value       = local.job_definition_arn_prefix
}

output "compute_environment_arns" {
  description = "Map of capacity type (spot, on_demand) to compute environment ARN."
  value       = { for k, ce in aws_batch_compute_environment.this : k => ce.arn }
}

output "job_role_arn" {
  description = "ARN of the role the job containers run with."
  value       = aws_iam_role.job.arn
}

output "state_machine_arn" {
  description = "ARN of the Step Functions state machine (the `StateMachineArn` CloudWatch dimension)."
  value       = aws_sfn_state_machine.this.arn
}

output "state_machine_name" {
  description = "Name of the Step Functions state machine."
  value       = aws_sfn_state_machine.this.name
}

output "queue_age_function_name" {
  description = "Name of the Lambda publishing Custom/Batch OldestRunnableJobAgeSeconds."
  value       = aws_lambda_function.queue_age.function_name
}

output "queue_age_dlq_arn" {
  description = "ARN of the dead-letter queue of the queue-age Lambda."
  value       = aws_sqs_queue.queue_age_dlq.arn
}

output "security_group_id" {
  description = "ID of the security group of the jobs and the Lambda."
  value       = aws_security_group.this.id
}
