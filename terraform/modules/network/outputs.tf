output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "IPv4 CIDR block of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "azs" {
  description = "Availability zones the subnets are spread across."
  value       = var.azs
}

output "public_subnet_ids" {
  description = "IDs of the public subnets, in the order of `azs`."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "IDs of the private subnets, in the order of `azs`."
  value       = aws_subnet.private[*].id
}

output "database_subnet_ids" {
  description = "IDs of the isolated database subnets, in the order of `azs`."
  value       = aws_subnet.database[*].id
}

output "nat_gateway_public_ips" {
  description = "Public egress IPs of the NAT gateways (for partner allow-lists)."
  value       = aws_eip.nat[*].public_ip
}

output "flow_log_group_name" {
  description = "Name of the CloudWatch log group receiving the VPC flow logs."
  value       = aws_cloudwatch_log_group.flow_logs.name
}

output "vpc_endpoint_security_group_id" {
  description = "ID of the security group attached to the interface VPC endpoints."
  value       = aws_security_group.endpoints.id
}

output "s3_vpc_endpoint_id" {
  description = "ID of the S3 gateway VPC endpoint (usable in `aws:sourceVpce` bucket-policy conditions)."
  value       = aws_vpc_endpoint.s3.id
}
