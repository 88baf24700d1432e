output "cluster_id" {
  description = "Identifier of the Aurora cluster (the `DBClusterIdentifier` CloudWatch dimension)."
  value       = aws_rds_cluster.this.id
}

output "cluster_arn" {
  description = "ARN of the Aurora cluster."
  value       = aws_rds_cluster.this.arn
}

output "cluster_endpoint" {
  description = "Writer endpoint."
  value       = aws_rds_cluster.this.endpoint
}

output "reader_endpoint" {
  description = "Load-balanced reader endpoint."
  value       = aws_rds_cluster.this.reader_endpoint
}

output "port" {
  description = "PostgreSQL port."
  value       = aws_rds_cluster.this.port
}

output "database_name" {
  description = "Name of the initial database."
  value       = aws_rds_cluster.this.database_name
}

output "master_user_secret_arn" {
  description = "ARN of the Secrets Manager secret holding the RDS-managed master credentials."
  value       = aws_rds_cluster.this.master_user_secret[0].secret_arn
}

output "security_group_id" {
  description = "ID of the security group of the cluster."
  value       = aws_security_group.this.id
}

output "instance_ids" {
  description = "Identifiers of the cluster instances (the first one is created as the writer)."
  value       = aws_rds_cluster_instance.this[*].identifier
}

output "app_secret_arn" {
  description = "ARN of the secret with the application's connection details (IAM auth, no password): what the API reads."
  value       = aws_secretsmanager_secret.app.arn
}

output "app_db_user_arn" {
  description = "`rds-db:connect` resource of the application user (`arn:...:dbuser:<cluster resource id>/<user>`)."
  value       = "arn:${data.aws_partition.current.partition}:rds-db:${split(":", aws_rds_cluster.this.arn)[3]}:${split(":", aws_rds_cluster.this.arn)[4]}:dbuser:${aws_rds_cluster.this.cluster_resource_id}/${var.app_db_username}"
}

output "deletion_protection" {
  description = "Whether deletion protection is on for the Aurora cluster."
  value       = aws_rds_cluster.this.deletion_protection
}
