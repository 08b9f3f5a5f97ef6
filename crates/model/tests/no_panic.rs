//! Property tests: the grammar answers every input with a value or a typed
//! error, never a panic.

use proptest::prelude::*;
use romwatch_model::{Md5, PackageName, Size, Version};

/// Fragments of real names, so that generated inputs get deep into the
/// grammar instead of failing on the first character.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("miui_".to_string()),
        Just("miui-blockota-".to_string()),
        Just("-ota_full-".to_string()),
        Just("-ota_incremental-".to_string()),
        Just("_images_".to_string()),
        Just("-images-".to_string()),
        Just("Global".to_string()),
        Just("PRE".to_string()),
        Just("V14.0.9.0.TKFMIXM".to_string()),
        Just("OS2.0.1.0.VNOEUXM".to_string()),
        Just(".DEV".to_string()),
        Just("20250115.0000.00".to_string()),
        Just("3c2f45d9c8".to_string()),
        Just(".zip".to_string()),
        Just(".tgz".to_string()),
        "[_.\\-]",
        "[a-zA-Z0-9]{0,8}",
        "\\PC{0,4}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(20_000))]

    #[test]
    fn package_names_never_panic(parts in proptest::collection::vec(fragment(), 0..12)) {
        let name = parts.concat();
        if let Ok(pkg) = PackageName::parse(&name) {
            // What parses is self-consistent.
            prop_assert_eq!(pkg.md5.to_string().len(), 10);
            prop_assert!(name.contains(pkg.version.as_str()));
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,80}") {
        let _ = PackageName::parse(&text);
        let _ = Version::parse(&text);
        let _ = Size::parse_human(&text);
        let _ = text.parse::<Md5>();
    }
}
