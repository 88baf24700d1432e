terraform {
  # S3-native state locking (use_lockfile) needs Terraform 1.10+.
  required_version = ">= 1.10.0, < 2.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.70, < 6.0"
    }
  }

  # State bucket (versioned, SSE-KMS, public access blocked) is bootstrapped once per account,
  # outside this configuration. Locking uses an S3 lock object next to the state.
  backend "s3" {
    bucket       = "acme-sre-terraform-state-dev"
    key          = "sre/dev/terraform.tfstate"
    region       = "us-east-1"
    encrypt      = true
    use_lockfile = true
  }
}
