//! The hash chain: `hash_n = SHA-256(hash_{n-1} || canonical_bytes(entry_n))`, with 32 zero
//! bytes before the first entry.

use ring::digest;

use super::entry::AuditEntry;

/// A SHA-256 digest of the chain.
pub type ChainHash = [u8; 32];

/// The hash "before" entry 1.
pub const GENESIS: ChainHash = [0; 32];

/// The chain hash of `entry` following `previous`.
pub fn link(previous: &ChainHash, entry: &AuditEntry) -> ChainHash {
    link_bytes(previous, &entry.canonical_bytes())
}

/// The chain hash of an entry's canonical bytes following `previous`.
pub fn link_bytes(previous: &ChainHash, canonical: &[u8]) -> ChainHash {
    let mut context = digest::Context::new(&digest::SHA256);
    context.update(previous);
    context.update(canonical);
    let mut hash = [0u8; 32];
    hash.copy_from_slice(context.finish().as_ref());
    hash
}
