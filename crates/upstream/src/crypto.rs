//! The OTA API's envelope: AES-128-CBC with PKCS#7 padding under a key and
//! IV that every updater client ships, carried as Base64. The same envelope
//! wraps requests and answers, so the adapter and the simulator share it.

use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit, block_padding::Pkcs7};
use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// The published key: the 16 ASCII bytes `miuiotavalided11`.
pub const KEY: [u8; 16] = *b"miuiotavalided11";
/// The published IV: the 16 ASCII bytes `0102030405060708`.
pub const IV: [u8; 16] = *b"0102030405060708";

type Encryptor = cbc::Encryptor<aes::Aes128>;
type Decryptor = cbc::Decryptor<aes::Aes128>;

/// Standard alphabet; padding optional on input because clients differ.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Why an envelope could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    #[error("bad Base64: {0}")]
    Base64(String),
    #[error("ciphertext of {0} bytes is not a whole number of 16-byte blocks")]
    Length(usize),
    /// Decryption gave no valid PKCS#7 padding: wrong key, or a corrupt ciphertext.
    #[error("bad PKCS#7 padding after decryption")]
    Padding,
}

/// Encrypts `plaintext` with [`KEY`] and [`IV`] and returns standard Base64.
pub fn seal(plaintext: &[u8]) -> String {
    let ciphertext =
        Encryptor::new(&KEY.into(), &IV.into()).encrypt_padded_vec_mut::<Pkcs7>(plaintext);
    base64::engine::general_purpose::STANDARD.encode(ciphertext)
}

/// Decodes Base64 in either alphabet (line breaks and other whitespace
/// ignored, padding optional) and decrypts it.
pub fn open(text: &str) -> Result<Vec<u8>, EnvelopeError> {
    let normalised: String = text
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    let ciphertext = LENIENT
        .decode(normalised.as_bytes())
        .map_err(|e| EnvelopeError::Base64(e.to_string()))?;
    if ciphertext.is_empty() || ciphertext.len() % 16 != 0 {
        return Err(EnvelopeError::Length(ciphertext.len()));
    }
    Decryptor::new(&KEY.into(), &IV.into())
        .decrypt_padded_vec_mut::<Pkcs7>(&ciphertext)
        .map_err(|_| EnvelopeError::Padding)
}

/// The JSON object of a decrypted answer: everything up to its final `}`.
/// Some answers carry junk after it, which is cut. `None` when there is no
/// `}` at all.
pub fn json_object_of(plaintext: &[u8]) -> Option<&[u8]> {
    let end = plaintext.iter().rposition(|&b| b == b'}')?;
    Some(&plaintext[..=end])
}

#[cfg(test)]
mod tests {
    use super::*;

    // Computed independently with
    // `openssl enc -aes-128-cbc -K <hex of KEY> -iv <hex of IV> -base64 -A`.
    const PLAIN: &str = r#"{"b":"F","c":"14","d":"alioth_global"}"#;
    const SEALED: &str = "BxS1H792f+dC2rgmlfInfGYOum/Oee8dP3zDnQGzHQODYQaLiDO5Yy8dZRxte1td";
    /// `PLAIN` sealed the same way under the key `0000000000000000`.
    const SEALED_WRONG_KEY: &str =
        "NPHYQuHxIR5DF+Ab1rjiW00VJTYtFpk8ocuJfMMCv8EujxgjK9+AkhJXlkEB+5IM";

    #[test]
    fn fixed_vector_seals_and_opens() {
        assert_eq!(seal(PLAIN.as_bytes()), SEALED);
        assert_eq!(open(SEALED).unwrap(), PLAIN.as_bytes());
    }

    #[test]
    fn opens_url_safe_unpadded_and_wrapped_base64() {
        let url_safe = SEALED.replace('+', "-").replace('/', "_");
        assert_eq!(open(&url_safe).unwrap(), PLAIN.as_bytes());
        let wrapped = format!("{}\r\n{}\n", &SEALED[..40], &SEALED[40..]);
        assert_eq!(open(&wrapped).unwrap(), PLAIN.as_bytes());
        let sealed = seal(b"{}");
        assert_eq!(open(sealed.trim_end_matches('=')).unwrap(), b"{}");
    }

    #[test]
    fn refuses_bad_base64_length_and_padding() {
        assert!(matches!(open("not base64!"), Err(EnvelopeError::Base64(_))));
        assert_eq!(open("AAAA"), Err(EnvelopeError::Length(3)));
        // A block under a wrong key almost never unpads; this one does not.
        assert_eq!(open(SEALED_WRONG_KEY), Err(EnvelopeError::Padding));
    }

    #[test]
    fn cuts_junk_after_the_object() {
        assert_eq!(
            json_object_of(b"{\"a\":{}}\0\x07zz"),
            Some(&b"{\"a\":{}}"[..])
        );
        assert_eq!(json_object_of(b"junk"), None);
    }
}
