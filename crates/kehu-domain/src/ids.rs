//! Typed ids, so a customer id can never be passed where a user id is expected.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A person who logs in: admin, manager or rep.
    UserId
);
id_type!(
    /// A node in the team tree.
    TeamId
);
id_type!(
    /// A customer (客户).
    CustomerId
);
id_type!(
    /// A contact person (联系人) at a customer.
    ContactId
);
