//! What the plan does not say yet: each gap becomes a visible 【未記入】 box in
//! its section and a line on stderr, naming the TOML key to fill.

use serde::Serialize;

use crate::model::validate::Checked;
use crate::model::{ContactCategory, Designation, Plan, fill};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    /// The key to fill, as the user writes it (`backups`, `facility.document_owner`).
    pub key: &'static str,
    /// The ひな形 section that shows the box.
    pub section: &'static str,
    /// What to write, in Japanese (`model::fill`, shared with `check`'s hints).
    pub fix: &'static str,
}

pub fn gaps(plan: &Plan, checked: &Checked) -> Vec<Gap> {
    let training = plan.training.as_ref();
    let untargeted = plan.systems.iter().any(|s| {
        s.recovery_target
            .as_deref()
            .is_none_or(|t| t.trim().is_empty())
    });
    let rules: [(bool, &'static str, &'static str); 17] = [
        (plan.revisions.is_empty(), "revisions", "表紙"),
        (plan.systems.is_empty(), "systems", "1.3.1"),
        (
            plan.facility.document_owner.is_none(),
            "facility.document_owner",
            "1.4",
        ),
        (
            plan.role(Designation::SecurityManager).is_none(),
            "roles.security_manager",
            "2.1.1",
        ),
        (
            plan.role(Designation::Chief).is_none(),
            "roles.chief",
            "2.1.1",
        ),
        (plan.roles.is_empty(), "roles", "2.1.2"),
        (checked.devices.is_empty(), "devices", "2.1.3"),
        (checked.diagram.is_none(), "network.diagram", "2.1.4"),
        (plan.alternatives.is_empty(), "alternatives", "2.1.5"),
        (untargeted, "systems.recovery_target", "2.1.5"),
        (plan.vulnerability.is_none(), "vulnerability", "2.1.6"),
        (
            plan.contacts_of(ContactCategory::Agency).next().is_none(),
            "contacts.agency",
            "2.2.1",
        ),
        (
            plan.contacts_of(ContactCategory::Vendor).next().is_none(),
            "contacts.vendor",
            "2.2.2",
        ),
        (
            training.and_then(|t| t.times_per_year).is_none(),
            "training.times_per_year",
            "2.2.3",
        ),
        (plan.backups.is_empty(), "backups", "2.2.4"),
        (
            plan.contacts_of(ContactCategory::Internal).next().is_none(),
            "contacts.internal",
            "3.1",
        ),
        (
            plan.incident.report_form.is_none(),
            "incident.report_form",
            "3.2",
        ),
    ];
    rules
        .into_iter()
        .filter(|(missing, ..)| *missing)
        .map(|(_, key, section)| Gap {
            key,
            section,
            fix: fill::how(key),
        })
        .collect()
}
