//! Legacy flows (before spec 13: `action_sets` and `rule_sets`), migrated as RapidPro migrates
//! them (to be written).
