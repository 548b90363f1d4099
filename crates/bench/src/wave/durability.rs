//! After the wave, with every node stopped: is each acknowledged applicant message in the
//! store? The store is opened as the nodes opened it, each applicant's conversation found by
//! its token, and its applicant messages read back by seq.

use std::collections::HashSet;

use safepassage_domain::Sender;
use safepassage_store::Store;
use sha2::{Digest, Sha256};

/// Messages read per page.
const PAGE: i64 = 500;

/// The acknowledged messages (seqs, per applicant token) that the store does not have.
pub async fn lost(store: &Store, acknowledged: &[(String, Vec<i64>)]) -> anyhow::Result<u64> {
    let mut lost = 0u64;
    for (token, seqs) in acknowledged {
        if seqs.is_empty() {
            continue;
        }
        // The store keeps a chat token's SHA-256 only, as the server computes it.
        let hash: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let Some(conversation) = store.conversation_by_token(hash).await? else {
            lost += seqs.len() as u64;
            continue;
        };
        let mut stored = HashSet::new();
        let mut after = 0;
        loop {
            let page = store.messages(conversation.id, after, PAGE).await?;
            stored.extend(page.iter().filter(|m| m.sender == Sender::Applicant).map(|m| m.seq));
            match page.last() {
                Some(last) if page.len() as i64 == PAGE => after = last.seq,
                _ => break,
            }
        }
        lost += seqs.iter().filter(|seq| !stored.contains(seq)).count() as u64;
    }
    Ok(lost)
}
