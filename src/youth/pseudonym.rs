//! Pseudonyms: HMAC-SHA256 of the BSN under a secret key that lives outside the database.
//!
//! The key id is stored beside each pseudonym so that the key can be rotated later: a youth
//! found under an old key id can be re-linked by pseudonymising the BSN under both keys.

use std::fmt;

use ring::{digest, hmac};

use super::Bsn;

/// A youth's pseudonym: which key made it, and the hex of the HMAC.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Pseudonym {
    pub key_id: String,
    pub value: String,
}

impl fmt::Debug for Pseudonym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A pseudonym is not the BSN, but it still links records: keep logs short of it.
        write!(f, "Pseudonym({}:{}…)", self.key_id, &self.value[..8.min(self.value.len())])
    }
}

/// The key id of a youth's random reference in the log starts so; the rest names the pseudonym
/// key that was current when they were enrolled (their case references are made with it).
const REFERENCE: &str = "ref:";

impl Pseudonym {
    /// A new youth's name in the audit log: a random (version 4) UUID's 122 random bits, linked to their BSN's pseudonym
    /// only by the youth's own record, so that destroying the record (§8) leaves the log's
    /// entries about them whole and findable by no BSN and no key.
    pub fn random_reference(key_id: &str) -> Pseudonym {
        Pseudonym { key_id: format!("{REFERENCE}{key_id}"), value: uuid::Uuid::new_v4().simple().to_string() }
    }

    /// Whether this is a random reference rather than a BSN's pseudonym.
    pub fn is_reference(&self) -> bool {
        self.key_id.starts_with(REFERENCE)
    }

    /// The pseudonym key this pseudonym, or this reference's youth, belongs to.
    fn made_with(&self) -> &str {
        self.key_id.strip_prefix(REFERENCE).unwrap_or(&self.key_id)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("a pseudonym key is 32 bytes written as 64 hexadecimal characters")]
    Malformed,
}

/// Turns BSNs into pseudonyms. `Debug` shows the key id, never the key.
#[derive(Clone)]
pub struct Pseudonymiser {
    key_id: String,
    key: hmac::Key,
    secret: [u8; 32],
    /// Keys rotated out: kept to find youths known under them, never to make new pseudonyms.
    retired: Vec<(String, hmac::Key)>,
}

impl Pseudonymiser {
    /// The raw key length in bytes.
    pub const KEY_LEN: usize = 32;

    pub fn from_secret(secret: [u8; 32]) -> Self {
        // The id is a hash of the key: stable, shows which key made a pseudonym, reveals nothing.
        let mut context = digest::Context::new(&digest::SHA256);
        context.update(b"ketenpoort pseudonym key id\0");
        context.update(&secret);
        let key_id = format!("p{}", hex::encode(&context.finish().as_ref()[..6]));
        Pseudonymiser { key_id, key: hmac::Key::new(hmac::HMAC_SHA256, &secret), secret, retired: Vec::new() }
    }

    /// This key with earlier, rotated-out keys to look youths up by.
    pub fn with_retired(mut self, retired: Vec<Pseudonymiser>) -> Self {
        self.retired = retired.into_iter().map(|old| (old.key_id, old.key)).collect();
        self
    }

    /// The pseudonyms of a BSN under the current key and then every retired one: a youth
    /// known before a rotation is found by one of them.
    pub fn pseudonymise_all(&self, bsn: &Bsn) -> Vec<Pseudonym> {
        let mut all = vec![self.pseudonymise(bsn)];
        for (key_id, key) in &self.retired {
            let tag = hmac::sign(key, bsn.digits());
            all.push(Pseudonym { key_id: key_id.clone(), value: hex::encode(tag.as_ref()) });
        }
        all
    }

    /// Reads the key from its hex form (a key file's content or an environment variable).
    pub fn from_hex(text: &str) -> Result<Self, KeyError> {
        let bytes = hex::decode(text.trim()).map_err(|_| KeyError::Malformed)?;
        let secret: [u8; 32] = bytes.try_into().map_err(|_| KeyError::Malformed)?;
        Ok(Self::from_secret(secret))
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    pub fn pseudonymise(&self, bsn: &Bsn) -> Pseudonym {
        let tag = hmac::sign(&self.key, bsn.digits());
        Pseudonym { key_id: self.key_id.clone(), value: hex::encode(tag.as_ref()) }
    }

    /// An organisation's own reference for a youth, in its inbox and responses: the
    /// organisation's system can recognise the youth again without Ketenpoort handing out a BSN,
    /// and two organisations' references cannot be linked to each other.
    /// Made with the key that made the youth's pseudonym, so it survives a key rotation.
    pub fn case_ref(&self, org: &str, youth: &Pseudonym) -> String {
        let made_with = youth.made_with();
        let key = self.retired.iter().find(|(id, _)| id == made_with).map_or(&self.key, |(_, key)| key);
        let tag = hmac::sign(key, format!("ketenpoort case ref\0{org}\0{}", youth.value).as_bytes());
        hex::encode(&tag.as_ref()[..16])
    }

    /// A pseudonymiser for a separate world, keyed from this one: conformance scenarios each
    /// describe their own youth with the same BSN, and must not see each other's facts.
    pub fn for_world(&self, world: &str) -> Pseudonymiser {
        let tag = hmac::sign(&self.key, format!("ketenpoort world\0{world}").as_bytes());
        let mut secret = [0u8; 32];
        secret.copy_from_slice(&tag.as_ref()[..32]);
        Self::from_secret(secret)
    }

    /// The key in hex, for writing the key file; nothing else reads it.
    pub(crate) fn secret_hex(&self) -> String {
        hex::encode(self.secret)
    }
}

impl fmt::Debug for Pseudonymiser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pseudonymiser").field("key_id", &self.key_id).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bsn() -> Bsn {
        "628194821".parse().unwrap()
    }

    #[test]
    fn the_same_bsn_under_the_same_key_gives_the_same_pseudonym() {
        let keys = Pseudonymiser::from_secret([7; 32]);
        assert_eq!(keys.pseudonymise(&bsn()), keys.pseudonymise(&bsn()));
        assert_eq!(keys.pseudonymise(&bsn()).value.len(), 64);
    }

    #[test]
    fn another_key_gives_another_pseudonym_and_key_id() {
        let a = Pseudonymiser::from_secret([7; 32]).pseudonymise(&bsn());
        let b = Pseudonymiser::from_secret([8; 32]).pseudonymise(&bsn());
        assert_ne!(a.value, b.value);
        assert_ne!(a.key_id, b.key_id);
    }

    #[test]
    fn the_pseudonym_is_the_hmac_of_the_digits() {
        let keys = Pseudonymiser::from_secret([1; 32]);
        let expected = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &[1; 32]), b"628194821");
        assert_eq!(keys.pseudonymise(&bsn()).value, hex::encode(expected.as_ref()));
    }

    #[test]
    fn case_refs_differ_per_organisation_and_from_the_pseudonym() {
        let keys = Pseudonymiser::from_secret([7; 32]);
        let youth = keys.pseudonymise(&bsn());
        let school = keys.case_ref("lyceum-noord", &youth);
        assert_eq!(school, keys.case_ref("lyceum-noord", &youth));
        assert_ne!(school, keys.case_ref("buurtteam-oost", &youth));
        assert!(!youth.value.contains(&school));
    }

    #[test]
    fn worlds_are_separate() {
        let keys = Pseudonymiser::from_secret([7; 32]);
        let one = keys.for_world("file#1").pseudonymise(&bsn());
        let two = keys.for_world("file#2").pseudonymise(&bsn());
        assert_ne!(one.value, two.value);
        assert_eq!(one, keys.for_world("file#1").pseudonymise(&bsn()));
    }

    #[test]
    fn keys_round_trip_through_hex_and_never_show_in_debug() {
        let keys = Pseudonymiser::from_secret([0xab; 32]);
        let again = Pseudonymiser::from_hex(&keys.secret_hex()).unwrap();
        assert_eq!(again.key_id(), keys.key_id());
        assert!(!format!("{keys:?}").contains("abab"));
        assert!(Pseudonymiser::from_hex("abcd").is_err());
        assert!(Pseudonymiser::from_hex(&"zz".repeat(32)).is_err());
    }
}
