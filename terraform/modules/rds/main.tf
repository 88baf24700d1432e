data "aws_partition" "current" {}

locals {
  port                = 5432
  deletion_protection = var.environment == "prod" ? true : var.deletion_protection
  engine_major        = split(".", var.engine_version)[0]
}

################################################################################
# Network
################################################################################

resource "aws_db_subnet_group" "this" {
  name        = var.name
  description = "Database subnets of ${var.name}"
  subnet_ids  = var.subnet_ids

  tags = merge(var.tags, { Name = var.name })
}

resource "aws_security_group" "this" {
  name        = "${var.name}-aurora"
  description = "Aurora PostgreSQL ${var.name}: PostgreSQL only from the EKS node/pod security group"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-aurora" })
}

# count, not for_each: the IDs are known only after apply, their number is known at plan time.
resource "aws_vpc_security_group_ingress_rule" "postgres" {
  count = length(var.allowed_security_group_ids)

  security_group_id            = aws_security_group.this.id
  description                  = "PostgreSQL from allowed security group ${count.index}"
  referenced_security_group_id = var.allowed_security_group_ids[count.index]
  ip_protocol                  = "tcp"
  from_port                    = local.port
  to_port                      = local.port

  tags = merge(var.tags, { Name = "${var.name}-postgres-from-${count.index}" })
}

################################################################################
# Parameter groups: TLS enforced, connection and slow-query logging
################################################################################

resource "aws_rds_cluster_parameter_group" "this" {
  name        = "${var.name}-cluster"
  family      = "aurora-postgresql${local.engine_major}"
  description = "Cluster parameters of ${var.name}"

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  parameter {
    name  = "log_connections"
    value = "1"
  }

  parameter {
    name  = "log_disconnections"
    value = "1"
  }

  parameter {
    name  = "log_statement"
    value = "ddl"
  }

  parameter {
    name  = "log_min_duration_statement"
    value = tostring(var.log_min_duration_statement_ms)
  }

  tags = merge(var.tags, { Name = "${var.name}-cluster" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_db_parameter_group" "this" {
  name        = "${var.name}-instance"
  family      = "aurora-postgresql${local.engine_major}"
  description = "Instance parameters of ${var.name}"

  parameter {
    name  = "log_statement"
    value = "ddl"
  }

  parameter {
    name  = "log_min_duration_statement"
    value = tostring(var.log_min_duration_statement_ms)
  }

  tags = merge(var.tags, { Name = "${var.name}-instance" })

  lifecycle {
    create_before_destroy = true
  }
}

################################################################################
# Log export target (created up front so it is encrypted and has a retention)
################################################################################

resource "aws_cloudwatch_log_group" "postgresql" {
  name              = "/aws/rds/cluster/${var.name}/postgresql"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.logs_kms_key_arn

  tags = merge(var.tags, { Name = "${var.name}-postgresql" })
}

################################################################################
# Enhanced Monitoring role
################################################################################

data "aws_iam_policy_document" "monitoring_assume" {
  statement {
    sid     = "RdsMonitoringAssume"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["monitoring.rds.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "monitoring" {
  name               = "${var.name}-rds-monitoring"
  assume_role_policy = data.aws_iam_policy_document.monitoring_assume.json

  tags = merge(var.tags, { Name = "${var.name}-rds-monitoring" })
}

resource "aws_iam_role_policy_attachment" "monitoring" {
  role       = aws_iam_role.monitoring.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

################################################################################
# Aurora cluster (writer + readers across AZs)
################################################################################

resource "aws_rds_cluster" "this" {
  #checkov:skip=CKV2_AWS_8:Backups are the native Aurora automated backups (retention var.backup_retention_period, PITR); no AWS Backup plan in this stack
  cluster_identifier = var.name
  engine             = "aurora-postgresql"
  engine_mode        = "provisioned"
  engine_version     = var.engine_version
  database_name      = var.database_name
  port               = local.port

  master_username                     = var.master_username
  manage_master_user_password         = true
  master_user_secret_kms_key_id       = var.kms_key_arn
  iam_database_authentication_enabled = true
  db_subnet_group_name                = aws_db_subnet_group.this.name
  vpc_security_group_ids              = [aws_security_group.this.id]
  db_cluster_parameter_group_name     = aws_rds_cluster_parameter_group.this.name
  storage_encrypted                   = true
  kms_key_id                          = var.kms_key_arn
  backup_retention_period             = var.backup_retention_period
  preferred_backup_window             = var.preferred_backup_window
  preferred_maintenance_window        = var.preferred_maintenance_window
  copy_tags_to_snapshot               = true
  deletion_protection                 = local.deletion_protection
  skip_final_snapshot                 = false
  final_snapshot_identifier           = "${var.name}-final"
  enabled_cloudwatch_logs_exports     = ["postgresql"]

  # Performance Insights and Enhanced Monitoring are configured per instance below.
  tags = merge(var.tags, { Name = var.name })

  depends_on = [aws_cloudwatch_log_group.postgresql]

  lifecycle {
    ignore_changes = [final_snapshot_identifier]
  }
}

resource "aws_rds_cluster_instance" "this" {
  count = var.instance_count

  identifier                            = "${var.name}-${count.index + 1}"
  cluster_identifier                    = aws_rds_cluster.this.id
  engine                                = aws_rds_cluster.this.engine
  engine_version                        = aws_rds_cluster.this.engine_version
  instance_class                        = var.instance_class
  db_subnet_group_name                  = aws_db_subnet_group.this.name
  db_parameter_group_name               = aws_db_parameter_group.this.name
  publicly_accessible                   = false
  auto_minor_version_upgrade            = true
  promotion_tier                        = count.index
  monitoring_interval                   = var.monitoring_interval
  monitoring_role_arn                   = aws_iam_role.monitoring.arn
  performance_insights_enabled          = true
  performance_insights_kms_key_id       = var.kms_key_arn
  performance_insights_retention_period = var.performance_insights_retention_period
  preferred_maintenance_window          = var.preferred_maintenance_window
  copy_tags_to_snapshot                 = true

  tags = merge(var.tags, { Name = "${var.name}-${count.index + 1}", Role = count.index == 0 ? "writer" : "reader" })
}

################################################################################
# The application's own database identity: IAM database authentication as user
# var.app_db_username (created once with `CREATE USER <name>; GRANT rds_iam TO <name>;`, see
# runbooks/_hand/db-errors.md). The secret holds where to connect, no password: the API signs
# a 15-minute token with its IRSA role (rds-db:connect on app_db_user_arn).
################################################################################

resource "aws_secretsmanager_secret" "app" {
  #checkov:skip=CKV2_AWS_57:The secret holds connection details only (IAM database authentication); there is no credential to rotate
  name        = "${var.name}/app-db"
  description = "Connection details of the application database user ${var.app_db_username} (IAM auth, no password)"
  kms_key_id  = var.kms_key_arn

  tags = merge(var.tags, { Name = "${var.name}-app-db" })
}

resource "aws_secretsmanager_secret_version" "app" {
  secret_id = aws_secretsmanager_secret.app.id
  secret_string = jsonencode({
    engine   = "postgres"
    host     = aws_rds_cluster.this.endpoint
    reader   = aws_rds_cluster.this.reader_endpoint
    port     = local.port
    dbname   = var.database_name
    username = var.app_db_username
    auth     = "iam"
    sslmode  = "verify-full"
  })
}
