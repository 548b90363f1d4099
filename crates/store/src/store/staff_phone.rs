//! Where a staff member takes calls: a phone number or a SIP address, which the voice channel
//! dials when they take a waiting caller. Sealed under the staff key like the TOTP secret and
//! bound to the account, so a database reader learns no operator's number.

use safepassage_domain::UserId;
use zeroize::Zeroizing;

use super::{bound_to, Store};
use crate::error::StoreError;
use crate::ops::Op;

const PHONE: &str = "users.phone_ct";
/// The longest address kept: an E.164 number has at most 16 characters, a SIP address a few
/// dozen; anything longer is a mistake.
pub const MAX_STAFF_PHONE: usize = 256;

impl Store {
    /// Sets (`Some`) or clears (`None`) where `user` takes calls. The caller checks the form
    /// of the address; here only its length is bounded.
    pub async fn set_staff_phone(&self, user: UserId, phone: Option<&str>) -> Result<(), StoreError> {
        let phone = phone.map(str::trim).filter(|p| !p.is_empty());
        if phone.is_some_and(|p| p.len() > MAX_STAFF_PHONE) {
            return Err(StoreError::Refused(format!("a phone or SIP address has at most {MAX_STAFF_PHONE} bytes")));
        }
        let phone_ct = phone.map(|p| self.keys.staff.seal(&bound_to(PHONE, &user.0), p.as_bytes()));
        self.submit(vec![Op::SetStaffPhone { user, phone_ct }], Vec::new()).await?;
        Ok(())
    }

    /// Where `user` takes calls; None when unset.
    pub async fn staff_phone(&self, user: UserId) -> Result<Option<Zeroizing<String>>, StoreError> {
        let Some(sealed) = self.backend.staff_phone_ct(user).await? else { return Ok(None) };
        let plain = self.keys.staff.open(&bound_to(PHONE, &user.0), &sealed)?;
        let text =
            std::str::from_utf8(&plain).map_err(|_| StoreError::Database("a staff phone is not UTF-8".into()))?;
        Ok(Some(Zeroizing::new(text.to_owned())))
    }
}
