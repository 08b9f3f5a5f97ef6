//! The OTA envelope sealed under a wrong key: the `wrong-cipher` fault.
//! Only the simulator ever needs a key other than the published one, so
//! this lives here rather than beside the adapter's envelope.

use aes::cipher::{BlockEncryptMut, KeyIvInit, block_padding::Pkcs7};
use base64::Engine;
use romwatch_upstream::crypto;

/// The envelope of [`crypto::seal`] under `key` instead of [`crypto::KEY`].
fn seal_with_key(plaintext: &[u8], key: &[u8; 16]) -> String {
    let ciphertext = cbc::Encryptor::<aes::Aes128>::new(key.into(), &crypto::IV.into())
        .encrypt_padded_vec_mut::<Pkcs7>(plaintext);
    base64::engine::general_purpose::STANDARD.encode(ciphertext)
}

/// The answer sealed under a wrong key. A wrong key still unpads now and
/// then (the last byte decrypts to 0x01 about once in 256); such keys are
/// skipped so the fault always reads as bad padding.
pub fn wrong_ciphertext(plaintext: &[u8]) -> String {
    let mut key = *b"otherkey12345678";
    for n in 0..=u8::MAX {
        key[15] = n;
        let sealed = seal_with_key(plaintext, &key);
        if crypto::open(&sealed).is_err() {
            return sealed;
        }
    }
    seal_with_key(plaintext, &key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_key_seals_as_the_adapter_does() {
        assert_eq!(seal_with_key(b"{}", &crypto::KEY), crypto::seal(b"{}"));
    }

    #[test]
    fn a_wrong_ciphertext_never_opens() {
        for plain in [&b"{}"[..], b"{\"LatestRom\":null}", &[b'x'; 100]] {
            assert!(crypto::open(&wrong_ciphertext(plain)).is_err());
        }
    }
}
