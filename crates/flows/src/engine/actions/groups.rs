//! Groups and labels: adding the contact to groups or removing it (never to groups kept by a
//! query), and labelling the message being answered. Names given as templates are looked up.

use super::super::events::{EventKind, NameRef};
use super::super::smart_groups;
use super::super::sprint::Sprint;
use crate::definition::actions::{AddContactGroups, AddInputLabels, RemoveContactGroups};
use crate::definition::refs::NamedRef;

enum Kind {
    Group,
    Label,
}

/// Resolves references to `{uuid, name}`: by UUID in the assets (or as written), or by a name
/// template matched against the assets' names.
fn resolve(sp: &mut Sprint<'_>, run: usize, step: &str, refs: &[NamedRef], kind: &Kind) -> Vec<(NameRef, bool)> {
    let mut out = Vec::new();
    for r in refs {
        if let Some(uuid) = r.uuid.as_deref().filter(|u| !u.is_empty()) {
            let found = match kind {
                Kind::Group => sp.assets.group(uuid).map(|g| (g.name.clone(), g.query.is_some())),
                Kind::Label => sp.assets.label(uuid).map(|l| (l.name.clone(), false)),
            };
            match found {
                Some((name, by_query)) => out.push((NameRef { uuid: uuid.to_string(), name }, by_query)),
                // As the reference does: a group or label the assets lack is reported and skipped.
                None => {
                    let what = if matches!(kind, Kind::Group) { "group" } else { "label" };
                    let name = r.name.clone().unwrap_or_default();
                    sp.error(Some(step), format!("missing dependency: {what}[uuid={uuid},name={name}]"));
                }
            }
        } else if let Some(m) = r.name_match.as_deref() {
            let (name, failed) = sp.eval_text_checked(run, Some(step), m);
            if failed {
                // A name whose expression failed matches nothing: the error is reported alone.
                continue;
            }
            let found = match kind {
                Kind::Group => {
                    sp.assets.group_by_name(&name).map(|g| (g.uuid.clone(), g.name.clone(), g.query.is_some()))
                }
                Kind::Label => sp.assets.label_by_name(&name).map(|l| (l.uuid.clone(), l.name.clone(), false)),
            };
            match found {
                Some((uuid, name, by_query)) => out.push((NameRef { uuid, name }, by_query)),
                None => {
                    let what = if matches!(kind, Kind::Group) { "group" } else { "label" };
                    sp.error(Some(step), format!("no such {what} with name '{name}'"));
                }
            }
        }
    }
    out
}

pub fn add_contact_groups(sp: &mut Sprint<'_>, run: usize, step: &str, a: &AddContactGroups) {
    let mut added = Vec::new();
    for (g, by_query) in resolve(sp, run, step, &a.groups, &Kind::Group) {
        if by_query {
            sp.error(Some(step), format!("can't add contacts to the query based group '{}'", g.name));
            continue;
        }
        if !sp.session.contact.in_group(&g.uuid) && !added.contains(&g) {
            added.push(g);
        }
    }
    if added.is_empty() {
        return;
    }
    sp.session.contact.groups.extend(added.iter().cloned());
    sp.invalidate();
    sp.event(Some(step), EventKind::ContactGroupsChanged { groups_added: added, groups_removed: Vec::new() });
    smart_groups::reevaluate(sp, Some(step), true);
}

pub fn remove_contact_groups(sp: &mut Sprint<'_>, run: usize, step: &str, a: &RemoveContactGroups) {
    let targets: Vec<NameRef> = if a.all_groups == Some(true) {
        let members = sp.session.contact.groups.clone();
        members.into_iter().filter(|g| sp.assets.group(&g.uuid).is_none_or(|a| a.query.is_none())).collect()
    } else {
        let refs = a.groups.clone().unwrap_or_default();
        let mut out = Vec::new();
        for (g, by_query) in resolve(sp, run, step, &refs, &Kind::Group) {
            if by_query {
                sp.error(Some(step), format!("can't remove contacts from the query based group '{}'", g.name));
            } else {
                out.push(g);
            }
        }
        out
    };
    let removed: Vec<NameRef> =
        sp.session.contact.groups.iter().filter(|g| targets.iter().any(|t| t.uuid == g.uuid)).cloned().collect();
    if removed.is_empty() {
        return;
    }
    sp.session.contact.groups.retain(|g| !removed.iter().any(|r| r.uuid == g.uuid));
    sp.invalidate();
    sp.event(Some(step), EventKind::ContactGroupsChanged { groups_added: Vec::new(), groups_removed: removed });
    smart_groups::reevaluate(sp, Some(step), true);
}

pub fn add_input_labels(sp: &mut Sprint<'_>, run: usize, step: &str, a: &AddInputLabels) {
    let Some(input_uuid) = sp.session.input.as_ref().map(|i| i.uuid.clone()) else {
        return;
    };
    let labels: Vec<NameRef> = resolve(sp, run, step, &a.labels, &Kind::Label).into_iter().map(|(l, _)| l).collect();
    if labels.is_empty() {
        return;
    }
    sp.event(Some(step), EventKind::InputLabelsAdded { input_uuid, labels });
}
