//! Staff roles, as DESIGN.md's table of people names them.

use serde::{Deserialize, Serialize};

use crate::vocabulary::ParseError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Operator,
    Specialist,
    Coordinator,
    Operations,
    Analyst,
    Admin,
}

impl Role {
    pub const ALL: [Role; 6] =
        [Role::Operator, Role::Specialist, Role::Coordinator, Role::Operations, Role::Analyst, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::Specialist => "specialist",
            Role::Coordinator => "coordinator",
            Role::Operations => "operations",
            Role::Analyst => "analyst",
            Role::Admin => "admin",
        }
    }

    /// Whether this role may read case content at all (admins and analysts never may).
    pub fn sees_case_content(self) -> bool {
        matches!(self, Role::Operator | Role::Specialist | Role::Coordinator)
    }
}

impl std::str::FromStr for Role {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or(ParseError::Unknown {
            what: "role",
            allowed: "operator, specialist, coordinator, operations, analyst, admin",
        })
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_parses_back_from_its_name() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn admins_and_analysts_see_no_case_content() {
        assert!(!Role::Admin.sees_case_content());
        assert!(!Role::Analyst.sees_case_content());
        assert!(!Role::Operations.sees_case_content());
        assert!(Role::Specialist.sees_case_content());
    }
}
