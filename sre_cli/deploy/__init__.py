"""Deploying what `sre generate` writes: CloudWatch alarms and dashboards (`cloudwatch`), AMP rule
namespaces (`amp`), and the AWS call plumbing they share (`aws_calls`)."""
