data "aws_partition" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  oidc_host  = replace(aws_eks_cluster.this.identity[0].oidc[0].issuer, "https://", "")
  policy_arn = "arn:${local.partition}:iam::aws:policy"
}

################################################################################
# Control plane
################################################################################

resource "aws_cloudwatch_log_group" "this" {
  # EKS writes to this fixed name; creating it first gives it KMS and a retention.
  name              = "/aws/eks/${var.name}/cluster"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.logs_kms_key_arn

  tags = merge(var.tags, { Name = "${var.name}-control-plane" })
}

data "aws_iam_policy_document" "cluster_assume" {
  statement {
    sid     = "EksAssume"
    actions = ["sts:AssumeRole", "sts:TagSession"]

    principals {
      type        = "Service"
      identifiers = ["eks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "cluster" {
  name               = "${var.name}-eks-cluster"
  assume_role_policy = data.aws_iam_policy_document.cluster_assume.json

  tags = merge(var.tags, { Name = "${var.name}-eks-cluster" })
}

resource "aws_iam_role_policy_attachment" "cluster" {
  for_each = toset(["AmazonEKSClusterPolicy", "AmazonEKSVPCResourceController"])

  role       = aws_iam_role.cluster.name
  policy_arn = "${local.policy_arn}/${each.value}"
}

data "aws_iam_policy_document" "cluster_kms" {
  statement {
    sid       = "SecretsEnvelopeEncryption"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "cluster_kms" {
  name   = "secrets-encryption"
  role   = aws_iam_role.cluster.id
  policy = data.aws_iam_policy_document.cluster_kms.json
}

resource "aws_eks_cluster" "this" {
  name                      = var.name
  version                   = var.kubernetes_version
  role_arn                  = aws_iam_role.cluster.arn
  enabled_cluster_log_types = var.cluster_log_types

  vpc_config {
    subnet_ids              = var.subnet_ids
    endpoint_private_access = true
    endpoint_public_access  = var.endpoint_public_access
    public_access_cidrs     = var.endpoint_public_access ? var.public_access_cidrs : null
  }

  encryption_config {
    resources = ["secrets"]

    provider {
      key_arn = var.kms_key_arn
    }
  }

  access_config {
    authentication_mode                         = "API"
    bootstrap_cluster_creator_admin_permissions = true
  }

  tags = merge(var.tags, { Name = var.name })

  depends_on = [
    aws_cloudwatch_log_group.this,
    aws_iam_role_policy_attachment.cluster,
    aws_iam_role_policy.cluster_kms,
  ]

  lifecycle {
    precondition {
      condition     = !var.endpoint_public_access || length(var.public_access_cidrs) > 0
      error_message = "A public endpoint needs an explicit public_access_cidrs allow-list."
    }
  }
}

################################################################################
# IRSA: OIDC provider
################################################################################

# No thumbprint: IAM trusts the EKS OIDC issuer through its own certificate authorities
# (thumbprint_list is optional since AWS provider 5.x), so the tls provider is not needed.
resource "aws_iam_openid_connect_provider" "this" {
  url            = aws_eks_cluster.this.identity[0].oidc[0].issuer
  client_id_list = ["sts.amazonaws.com"]

  tags = merge(var.tags, { Name = "${var.name}-irsa" })
}

################################################################################
# Managed node groups
################################################################################

data "aws_iam_policy_document" "node_assume" {
  statement {
    sid     = "Ec2Assume"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "node" {
  name               = "${var.name}-eks-node"
  assume_role_policy = data.aws_iam_policy_document.node_assume.json

  tags = merge(var.tags, { Name = "${var.name}-eks-node" })
}

resource "aws_iam_role_policy_attachment" "node" {
  for_each = toset([
    "AmazonEKSWorkerNodePolicy",
    "AmazonEKS_CNI_Policy",
    "AmazonEC2ContainerRegistryReadOnly",
    "AmazonSSMManagedInstanceCore",
    "CloudWatchAgentServerPolicy", # Container Insights (pod CPU/memory metrics)
  ])

  role       = aws_iam_role.node.name
  policy_arn = "${local.policy_arn}/${each.value}"
}

################################################################################
# Node security group: the nodes and their pods (VPC CNI), dedicated so that RDS and the ALB
# admit exactly these ENIs and not the control plane's (terraform-aws-modules/eks style).
################################################################################

resource "aws_security_group" "node" {
  name        = "${var.name}-node"
  description = "EKS nodes and pods of ${var.name}"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-node", "kubernetes.io/cluster/${var.name}" = "owned" })
}

resource "aws_vpc_security_group_ingress_rule" "node_from_node" {
  security_group_id            = aws_security_group.node.id
  description                  = "Node to node and pod to pod (DNS, service traffic)"
  referenced_security_group_id = aws_security_group.node.id
  ip_protocol                  = "-1"

  tags = merge(var.tags, { Name = "${var.name}-node-from-node" })
}

resource "aws_vpc_security_group_ingress_rule" "node_from_cluster" {
  for_each = { webhooks = 443, kubelet = 10250 }

  security_group_id            = aws_security_group.node.id
  description                  = "Control plane to the nodes' ${each.key} (${each.value})"
  referenced_security_group_id = aws_eks_cluster.this.vpc_config[0].cluster_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = each.value
  to_port                      = each.value

  tags = merge(var.tags, { Name = "${var.name}-node-${each.key}-from-cluster" })
}

resource "aws_vpc_security_group_egress_rule" "node_all" {
  #checkov:skip=CKV_AWS_382:Nodes pull images and reach AWS APIs through NAT and endpoints; the destinations are not a fixed set of CIDRs
  security_group_id = aws_security_group.node.id
  description       = "Nodes reach ECR, AWS APIs, RDS and the internet through NAT"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"

  tags = merge(var.tags, { Name = "${var.name}-node-egress" })
}

# IMDSv2 only with a hop limit of 1 (pods cannot borrow the node role; they use IRSA/Pod
# Identity), encrypted gp3 root volume.
resource "aws_launch_template" "node" {
  for_each = var.node_groups

  name_prefix            = "${var.name}-${each.key}-"
  description            = "EKS managed node group ${each.key} of ${var.name}"
  update_default_version = true
  vpc_security_group_ids = [aws_eks_cluster.this.vpc_config[0].cluster_security_group_id, aws_security_group.node.id]

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
    instance_metadata_tags      = "disabled"
  }

  block_device_mappings {
    device_name = "/dev/xvda"

    ebs {
      volume_size           = each.value.disk_size
      volume_type           = "gp3"
      encrypted             = true
      kms_key_id            = var.kms_key_arn
      delete_on_termination = true
    }
  }

  monitoring {
    enabled = true
  }

  tag_specifications {
    resource_type = "instance"
    tags          = merge(var.tags, { Name = "${var.name}-${each.key}" })
  }

  tags = merge(var.tags, { Name = "${var.name}-${each.key}" })
}

resource "aws_eks_node_group" "this" {
  for_each = var.node_groups

  cluster_name    = aws_eks_cluster.this.name
  node_group_name = each.key
  node_role_arn   = aws_iam_role.node.arn
  subnet_ids      = var.subnet_ids
  version         = var.kubernetes_version
  ami_type        = "AL2023_x86_64_STANDARD"
  capacity_type   = each.value.capacity_type
  instance_types  = each.value.instance_types
  labels          = merge(each.value.labels, { "node-group" = each.key })

  launch_template {
    id      = aws_launch_template.node[each.key].id
    version = aws_launch_template.node[each.key].latest_version
  }

  scaling_config {
    min_size     = each.value.min_size
    max_size     = each.value.max_size
    desired_size = each.value.desired_size
  }

  update_config {
    max_unavailable_percentage = 33
  }

  # The cluster autoscaler discovers the groups it may scale by these tags.
  tags = merge(var.tags, {
    Name                                    = "${var.name}-${each.key}"
    "k8s.io/cluster-autoscaler/enabled"     = "true"
    "k8s.io/cluster-autoscaler/${var.name}" = "owned"
  })

  depends_on = [aws_iam_role_policy_attachment.node]

  lifecycle {
    # The cluster autoscaler owns desired_size once the group exists.
    ignore_changes = [scaling_config[0].desired_size]
  }
}

resource "aws_eks_addon" "this" {
  for_each = toset(["vpc-cni", "coredns", "kube-proxy", "eks-pod-identity-agent", "amazon-cloudwatch-observability"])

  cluster_name                = aws_eks_cluster.this.name
  addon_name                  = each.value
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "PRESERVE"

  tags = merge(var.tags, { Name = "${var.name}-${each.value}" })

  depends_on = [aws_eks_node_group.this]
}

################################################################################
# IRSA role of the API pods: least privilege
################################################################################

data "aws_iam_policy_document" "api_assume" {
  statement {
    sid     = "ApiServiceAccount"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.this.arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:sub"
      values   = ["system:serviceaccount:${var.api_service_account.namespace}:${var.api_service_account.name}"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "api" {
  name               = "${var.name}-api-irsa"
  description        = "IRSA role of ${var.api_service_account.namespace}/${var.api_service_account.name}"
  assume_role_policy = data.aws_iam_policy_document.api_assume.json

  tags = merge(var.tags, { Name = "${var.name}-api-irsa" })
}

data "aws_iam_policy_document" "api" {
  statement {
    sid       = "StartPipeline"
    actions   = ["states:StartExecution"]
    resources = [var.state_machine_arn]
  }

  statement {
    sid       = "SubmitBatchJobs"
    actions   = ["batch:SubmitJob"]
    resources = [var.batch_job_queue_arn, "${var.batch_job_definition_arn_prefix}:*"]
  }

  statement {
    sid       = "ListBuckets"
    actions   = ["s3:ListBucket"]
    resources = var.bucket_arns
  }

  statement {
    sid       = "ReadWriteObjects"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = [for b in var.bucket_arns : "${b}/*"]
  }

  statement {
    sid       = "UseBucketKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.bucket_kms_key_arn]
  }

  statement {
    sid       = "ConnectAsAppUser"
    actions   = ["rds-db:connect"]
    resources = [var.api_db_user_arn]
  }

  statement {
    sid       = "ReadOwnSecret"
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = [var.api_secret_arn]
  }

  statement {
    sid       = "DecryptOwnSecret"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${split(":", var.api_secret_arn)[3]}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "api" {
  name   = "api-least-privilege"
  role   = aws_iam_role.api.id
  policy = data.aws_iam_policy_document.api.json
}

################################################################################
# Access entries: the app pipeline's deploy role (Helm upgrade/rollback)
################################################################################

resource "aws_eks_access_entry" "deploy" {
  cluster_name  = aws_eks_cluster.this.name
  principal_arn = var.deploy_role_arn
  type          = "STANDARD"

  tags = merge(var.tags, { Name = "${var.name}-deploy" })
}

# Helm creates the release namespaces (--create-namespace) and the charts' TargetGroupBinding
# objects, which the namespaced admin policy does not cover: cluster admin, for this role only.
resource "aws_eks_access_policy_association" "deploy" {
  cluster_name  = aws_eks_cluster.this.name
  principal_arn = aws_eks_access_entry.deploy.principal_arn
  policy_arn    = "arn:${local.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"

  access_scope {
    type = "cluster"
  }
}

################################################################################
# Pod Identity roles of the cluster add-ons (terraform-aws-modules/eks-pod-identity style)
################################################################################

data "aws_iam_policy_document" "pod_identity_assume" {
  statement {
    sid     = "EksPodIdentity"
    actions = ["sts:AssumeRole", "sts:TagSession"]

    principals {
      type        = "Service"
      identifiers = ["pods.eks.amazonaws.com"]
    }
  }
}

# AWS Load Balancer Controller: only TargetGroupBinding (Terraform owns the ALB and its target
# groups), so it registers pod IPs in this cluster's target groups and nothing else.
data "aws_iam_policy_document" "lb_controller" {
  #checkov:skip=CKV_AWS_356:Describe* calls of ELB and EC2 have no resource-level permissions
  statement {
    sid = "Describe"
    actions = [
      "elasticloadbalancing:DescribeTargetGroups",
      "elasticloadbalancing:DescribeTargetHealth",
      "elasticloadbalancing:DescribeLoadBalancers",
      "elasticloadbalancing:DescribeListeners",
      "elasticloadbalancing:DescribeTags",
      "ec2:DescribeInstances",
      "ec2:DescribeNetworkInterfaces",
      "ec2:DescribeSecurityGroups",
      "ec2:DescribeSubnets",
      "ec2:DescribeVpcs",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "RegisterPods"
    actions   = ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"]
    resources = ["arn:${local.partition}:elasticloadbalancing:*:*:targetgroup/${var.name}-*/*"]
  }
}

# Cluster autoscaler: scales only the node groups tagged as owned by this cluster.
data "aws_iam_policy_document" "cluster_autoscaler" {
  #checkov:skip=CKV_AWS_356:Autoscaling, EC2 and EKS Describe* calls have no resource-level permissions
  statement {
    sid = "Describe"
    actions = [
      "autoscaling:DescribeAutoScalingGroups",
      "autoscaling:DescribeAutoScalingInstances",
      "autoscaling:DescribeLaunchConfigurations",
      "autoscaling:DescribeScalingActivities",
      "autoscaling:DescribeTags",
      "ec2:DescribeImages",
      "ec2:DescribeInstanceTypes",
      "ec2:DescribeLaunchTemplateVersions",
      "ec2:GetInstanceTypesFromInstanceRequirements",
      "eks:DescribeNodegroup",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "ScaleOwnNodeGroups"
    actions   = ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"]
    resources = ["arn:${local.partition}:autoscaling:*:*:autoScalingGroup:*:autoScalingGroupName/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/k8s.io/cluster-autoscaler/${var.name}"
      values   = ["owned"]
    }
  }
}

locals {
  addon_roles = {
    aws-load-balancer-controller = { namespace = "kube-system", service_account = "aws-load-balancer-controller", policy = data.aws_iam_policy_document.lb_controller.json }
    cluster-autoscaler           = { namespace = "kube-system", service_account = "cluster-autoscaler", policy = data.aws_iam_policy_document.cluster_autoscaler.json }
  }
}

resource "aws_iam_role" "addon" {
  for_each = local.addon_roles

  name               = "${var.name}-${each.key}"
  description        = "Pod Identity role of ${each.value.namespace}/${each.value.service_account}"
  assume_role_policy = data.aws_iam_policy_document.pod_identity_assume.json

  tags = merge(var.tags, { Name = "${var.name}-${each.key}" })
}

resource "aws_iam_role_policy" "addon" {
  for_each = local.addon_roles

  name   = each.key
  role   = aws_iam_role.addon[each.key].id
  policy = each.value.policy
}

resource "aws_eks_pod_identity_association" "addon" {
  for_each = local.addon_roles

  cluster_name    = aws_eks_cluster.this.name
  namespace       = each.value.namespace
  service_account = each.value.service_account
  role_arn        = aws_iam_role.addon[each.key].arn

  tags = merge(var.tags, { Name = "${var.name}-${each.key}" })
}
