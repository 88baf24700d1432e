output "cluster_name" {
  description = "Name of the EKS cluster (the `ClusterName` Container Insights dimension)."
  value       = aws_eks_cluster.this.name
}

output "cluster_arn" {
  description = "ARN of the EKS cluster."
  value       = aws_eks_cluster.this.arn
}

output "cluster_endpoint" {
  description = "Endpoint of the Kubernetes API server."
  value       = aws_eks_cluster.this.endpoint
}

output "cluster_certificate_authority_data" {
  description = "Base64 CA bundle of the API server, for kubeconfig/providers."
  value       = aws_eks_cluster.this.certificate_authority[0].data
}

output "node_security_group_id" {
  description = "Security group of the managed nodes and therefore of the pods (not the control plane's): the source admitted by RDS and the target of the ALB."
  value       = aws_security_group.node.id
}

output "oidc_provider_arn" {
  description = "ARN of the IAM OIDC provider for IRSA."
  value       = aws_iam_openid_connect_provider.this.arn
}

output "oidc_issuer_url" {
  description = "OIDC issuer URL of the cluster."
  value       = aws_eks_cluster.this.identity[0].oidc[0].issuer
}

output "api_irsa_role_arn" {
  description = "ARN of the API pods' IRSA role; annotate the service account with `eks.amazonaws.com/role-arn`."
  value       = aws_iam_role.api.arn
}

output "node_role_arn" {
  description = "ARN of the IAM role of the managed nodes."
  value       = aws_iam_role.node.arn
}

output "cluster_security_group_id" {
  description = "EKS-managed cluster security group of the control-plane ENIs (also on the nodes)."
  value       = aws_eks_cluster.this.vpc_config[0].cluster_security_group_id
}

output "addon_role_arns" {
  description = "Map of add-on (aws-load-balancer-controller, cluster-autoscaler) to its Pod Identity role ARN (associations are created here)."
  value       = { for k, r in aws_iam_role.addon : k => r.arn }
}
