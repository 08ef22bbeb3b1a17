//! The bureau's registered people (人员登记) as the vault records them: a person's roles, the
//! Ed25519 public key they registered and its revocation, and which role may sign which audited
//! action. Plain data; no IO.

use serde::{Deserialize, Serialize};

/// What a registered person may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Reviews submitted items (四眼原则: two different reviewers accept).
    Reviewer,
    /// Runs the vault's operations; once one is registered, every change is signed by one.
    Operator,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "reviewer" | "审核员" => Some(Role::Reviewer),
            "operator" | "操作员" => Some(Role::Operator),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Role::Reviewer => "审核员",
            Role::Operator => "操作员",
        }
    }

    /// The role whose signature an audited action needs: a review decision is signed by the
    /// reviewer who made it (an operator may not review in a reviewer's place); everything else
    /// by an operator.
    pub fn for_action(op: &str) -> Role {
        if op == "review" || op == "review-accept" {
            Role::Reviewer
        } else {
            Role::Operator
        }
    }
}

/// A registered person (`p/<id>`, sealed: the name is personal data).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub roles: Vec<Role>,
    /// Ed25519 public key (hex) and its fingerprint.
    pub public_key: String,
    pub key_fingerprint: String,
    pub registered: String,
    /// Set when revoked: the key signs nothing from then on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<String>,
}

impl Person {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}
