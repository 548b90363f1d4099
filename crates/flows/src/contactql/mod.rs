//! Contact queries, as RapidPro's smart groups use them (to be written).
