//! Signed checkpoints: `(n, hash_n, time)` signed with Ed25519, so that rewriting the chain,
//! even with every hash recomputed, is found without trusting the database.
//!
//! The signed message is the ASCII tag `ketenpoort-checkpoint/1`, one NUL byte, `seq` (u64
//! big-endian), the 32 bytes of `hash_seq`, `at` (i64 Unix microseconds, big-endian), and the
//! key id (u32 big-endian length, then its bytes).

use std::fmt;

use ring::signature::{self, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use ring::{digest, rand::SystemRandom};
use time::OffsetDateTime;

use super::chain::ChainHash;
use super::entry::micros;

/// A signed checkpoint as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: u64,
    pub hash: ChainHash,
    pub at: OffsetDateTime,
    pub key_id: String,
    pub signature: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum CheckpointKeyError {
    #[error("the checkpoint key is not a valid Ed25519 PKCS#8 document")]
    Malformed,
    #[error("the checkpoint public key is 32 bytes written as 64 hexadecimal characters")]
    MalformedPublic,
    #[error("could not generate a key: the system random source failed")]
    Random,
}

fn message(seq: u64, hash: &ChainHash, at: OffsetDateTime, key_id: &str) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(96);
    bytes.extend_from_slice(b"ketenpoort-checkpoint/1\0");
    bytes.extend_from_slice(&seq.to_be_bytes());
    bytes.extend_from_slice(hash);
    bytes.extend_from_slice(&micros(at).to_be_bytes());
    bytes.extend_from_slice(&(key_id.len() as u32).to_be_bytes());
    bytes.extend_from_slice(key_id.as_bytes());
    bytes
}

fn key_id_of(public: &[u8]) -> String {
    let hash = digest::digest(&digest::SHA256, public);
    format!("c{}", hex::encode(&hash.as_ref()[..6]))
}

/// Signs checkpoints. `Debug` shows the key id only.
pub struct CheckpointSigner {
    pair: Ed25519KeyPair,
    pkcs8: Vec<u8>,
    key_id: String,
}

impl CheckpointSigner {
    /// A fresh key pair.
    pub fn generate() -> Result<Self, CheckpointKeyError> {
        let document = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).map_err(|_| CheckpointKeyError::Random)?;
        Self::from_pkcs8(document.as_ref())
    }

    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<Self, CheckpointKeyError> {
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8).map_err(|_| CheckpointKeyError::Malformed)?;
        let key_id = key_id_of(pair.public_key().as_ref());
        Ok(CheckpointSigner { pair, pkcs8: pkcs8.to_vec(), key_id })
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The PKCS#8 document, for writing the key file; nothing else reads it.
    pub(crate) fn pkcs8(&self) -> &[u8] {
        &self.pkcs8
    }

    /// The public half, for anyone who verifies.
    pub fn verifier(&self) -> CheckpointVerifier {
        CheckpointVerifier { public: self.pair.public_key().as_ref().to_vec(), key_id: self.key_id.clone() }
    }

    pub fn sign(&self, seq: u64, hash: ChainHash, at: OffsetDateTime) -> Checkpoint {
        let signature = self.pair.sign(&message(seq, &hash, at, &self.key_id)).as_ref().to_vec();
        Checkpoint { seq, hash, at, key_id: self.key_id.clone(), signature }
    }
}

impl fmt::Debug for CheckpointSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CheckpointSigner").field("key_id", &self.key_id).finish_non_exhaustive()
    }
}

/// Checks checkpoint signatures with the public half of the checkpoint key.
#[derive(Debug, Clone)]
pub struct CheckpointVerifier {
    public: Vec<u8>,
    key_id: String,
}

impl CheckpointVerifier {
    pub fn from_hex(text: &str) -> Result<Self, CheckpointKeyError> {
        let public = hex::decode(text.trim()).map_err(|_| CheckpointKeyError::MalformedPublic)?;
        if public.len() != 32 {
            return Err(CheckpointKeyError::MalformedPublic);
        }
        Ok(CheckpointVerifier { key_id: key_id_of(&public), public })
    }

    pub fn to_hex(&self) -> String {
        hex::encode(&self.public)
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// Whether `checkpoint` was signed by this key, over exactly its fields.
    pub fn verify(&self, checkpoint: &Checkpoint) -> bool {
        checkpoint.key_id == self.key_id
            && UnparsedPublicKey::new(&signature::ED25519, &self.public)
                .verify(
                    &message(checkpoint.seq, &checkpoint.hash, checkpoint.at, &checkpoint.key_id),
                    &checkpoint.signature,
                )
                .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_signed_checkpoint_verifies_and_any_change_breaks_it() {
        let signer = CheckpointSigner::generate().unwrap();
        let verifier = CheckpointVerifier::from_hex(&signer.verifier().to_hex()).unwrap();
        let checkpoint = signer.sign(1000, [7; 32], datetime!(2026-03-02 9:00 UTC));
        assert!(verifier.verify(&checkpoint));
        assert!(!verifier.verify(&Checkpoint { seq: 999, ..checkpoint.clone() }));
        assert!(!verifier.verify(&Checkpoint { hash: [8; 32], ..checkpoint.clone() }));
        assert!(!verifier.verify(&Checkpoint { at: datetime!(2026-03-02 9:01 UTC), ..checkpoint.clone() }));
        let other = CheckpointSigner::generate().unwrap();
        assert!(!other.verifier().verify(&checkpoint));
    }

    #[test]
    fn the_key_round_trips_through_pkcs8_and_debug_hides_it() {
        let signer = CheckpointSigner::generate().unwrap();
        let again = CheckpointSigner::from_pkcs8(signer.pkcs8()).unwrap();
        assert_eq!(again.key_id(), signer.key_id());
        assert!(!format!("{signer:?}").contains(&hex::encode(signer.pkcs8())));
        assert!(CheckpointSigner::from_pkcs8(b"nonsense").is_err());
    }
}
