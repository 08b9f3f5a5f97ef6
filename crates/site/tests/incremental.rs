//! Incremental and atomic output: a rebuild without new data writes
//! nothing, a new ROM rewrites only the files it affects, ROMs gone from the
//! data lose their pages, and the output is always one whole version.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use common::*;
use romwatch_model::{Branch, Method};
use romwatch_site::{
    LoadError, Shrink, SiteConfig, SiteData, SiteError, build, build_generation, build_with,
};

/// Each file's inode: a rewritten file gets a new one, a carried-over file
/// (hard link) keeps it.
fn inodes(out: &Path) -> std::collections::BTreeMap<String, u64> {
    use std::os::unix::fs::MetadataExt;
    files(out)
        .into_iter()
        .map(|f| {
            let ino = fs::metadata(out.join(&f)).unwrap().ino();
            (f, ino)
        })
        .collect()
}

#[test]
fn a_rebuild_without_new_data_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let first = build(&sample(), &config(), &out, None).unwrap();
    assert!(first.changed());
    let target = fs::read_link(&out).unwrap();
    let before = inodes(&out);

    let second = build(&sample(), &config(), &out, None).unwrap();
    assert_eq!(second.written, 0);
    assert_eq!(second.removed, 0);
    assert_eq!(second.unchanged, first.files);
    assert!(!second.changed());
    assert_eq!(
        fs::read_link(&out).unwrap(),
        target,
        "same version stays live"
    );
    assert_eq!(inodes(&out), before);
}

#[test]
fn one_new_rom_rewrites_only_the_files_it_affects() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let mut data = sample();
    build(&data, &config(), &out, None).unwrap();
    let before = inodes(&out);

    // A newer santoni build: santoni's pages, feeds and API change, and the
    // site-wide lists; capricorn's pages do not.
    data.roms.push(rom(
        "santoni_global",
        "7.12.29",
        Branch::Weekly,
        Method::Recovery,
        29,
    ));
    let report = build(&data, &config(), &out, None).unwrap();
    let after = inodes(&out);
    let rewritten: BTreeSet<&str> = after
        .iter()
        .filter(|(f, ino)| before.get(*f) != Some(ino))
        .map(|(f, _)| f.as_str())
        .collect();
    let expected: BTreeSet<&str> = [
        "miui/santoni/weekly/7.12.29/index.html",
        "miui/santoni/index.html",
        "archive/miui/santoni/index.html",
        "miui/santoni/rss.xml",
        "miui/santoni/atom.xml",
        "miui/santoni/feed.json",
        "miui/index.html",
        "index.html",
        "rss.xml",
        "atom.xml",
        "feed.json",
        "miui/rss.xml",
        "miui/atom.xml",
        "miui/feed.json",
        "api/v1/devices.json",
        "api/v1/devices/santoni.json",
        "api/v1/latest.json",
        "miui/santoni/since.json",
        // The search index: the device list, the newest ROMs' file, and
        // the shards of the new ROM's words (sa, gl, 12, 29, zi, re, 4x).
        "search/index.json",
        "search/roms-0.json",
        "search/words-7361.json",
        "search/words-676c.json",
        "search/words-3132.json",
        "search/words-3239.json",
        "search/words-7a69.json",
        "search/words-7265.json",
        "search/words-3478.json",
        "sitemap.xml",
    ]
    .into();
    assert_eq!(rewritten, expected);
    assert_eq!(report.written, expected.len());
    let new = expected
        .iter()
        .filter(|f| !before.contains_key(**f))
        .count();
    assert_eq!(new, 2, "the update page and the shard of 29");
    assert_eq!(report.unchanged, before.len() - expected.len() + new);
    assert_eq!(report.removed, 0);
}

#[test]
fn pages_of_roms_gone_from_the_data_are_removed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let mut data = sample();
    build(&data, &config(), &out, None).unwrap();
    assert!(
        out.join("miui/capricorn/stable-beta/V9.5.1.0.NAIMIFA/index.html")
            .exists()
    );

    data.roms
        .retain(|r| r.version.as_str() != "V9.5.1.0.NAIMIFA");
    let report = build(&data, &config(), &out, None).unwrap();
    assert!(!out.join("miui/capricorn/stable-beta").exists());
    assert!(!out.join("miui/capricorn/stable beta").exists());
    // The update page, its redirect, the 9 line's three feeds, and the
    // search shards of the words only it had (v9, naimifa, 20).
    assert_eq!(report.removed, 8);
    assert!(!out.join("search/words-6e61.json").exists());
    assert!(!out.join("feeds/miui-9").exists());
}

#[test]
fn a_theme_change_rerenders_and_config_changes_apply() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&sample(), &config(), &out, None).unwrap();
    let theme = dir.path().join("theme");
    fs::create_dir_all(theme.join("templates")).unwrap();
    fs::create_dir_all(theme.join("assets")).unwrap();
    fs::write(
        theme.join("templates/404.html"),
        "<!doctype html><html lang=\"en\"><title>gone</title><p>Custom 404</p></html>",
    )
    .unwrap();
    fs::write(theme.join("assets/site.css"), "body{color:red}").unwrap();
    fs::write(theme.join("assets/logo.svg"), "<svg/>").unwrap();
    let report = build(&sample(), &config(), &out, Some(&theme)).unwrap();
    assert!(report.written > 3, "a template change re-renders pages");
    assert!(read(&out, "404.html").contains("Custom 404"));
    assert_eq!(read(&out, "assets/site.css"), "body{color:red}");
    assert_eq!(read(&out, "assets/logo.svg"), "<svg/>");

    let renamed = SiteConfig {
        title: "Renamed".into(),
        ..config()
    };
    build(&sample(), &renamed, &out, Some(&theme)).unwrap();
    assert!(read(&out, "index.html").contains("Renamed"));
}

#[test]
fn the_output_is_a_symlink_to_one_whole_version() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let mut data = sample();
    build(&data, &config(), &out, None).unwrap();
    assert!(fs::symlink_metadata(&out).unwrap().file_type().is_symlink());
    let v1 = fs::read_link(&out).unwrap();
    assert_eq!(v1, Path::new(".public.versions/v-000001"));

    data.roms.pop();
    build(&data, &config(), &out, None).unwrap();
    let v2 = fs::read_link(&out).unwrap();
    assert_eq!(v2, Path::new(".public.versions/v-000002"));
    // The replaced version stays for readers that resolved it, until the
    // next build.
    assert!(dir.path().join(&v1).is_dir());
    data.roms.pop();
    build(&data, &config(), &out, None).unwrap();
    assert!(!dir.path().join(&v1).exists());
    assert!(dir.path().join(&v2).is_dir());
}

#[test]
fn leftovers_of_a_killed_build_are_cleaned_and_the_live_site_kept() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&sample(), &config(), &out, None).unwrap();
    let before = files(&out);
    // What a build killed mid-way leaves: a partial version and a
    // temporary link.
    let versions = dir.path().join(".public.versions");
    fs::create_dir_all(versions.join("v-000002.partial/miui")).unwrap();
    fs::write(versions.join("v-000002.partial/miui/index.html"), "half").unwrap();
    std::os::unix::fs::symlink("nowhere", dir.path().join(".public.link")).unwrap();
    assert_eq!(files(&out), before, "the live site does not see them");

    let mut data = sample();
    data.roms.pop();
    build(&data, &config(), &out, None).unwrap();
    assert!(!versions.join("v-000002.partial").exists());
    assert!(read(&out, "miui/index.html").contains("<table"));
}

#[test]
fn a_real_directory_at_the_output_path_is_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    fs::create_dir_all(&out).unwrap();
    fs::write(out.join("keep.txt"), "mine").unwrap();
    let err = build(&sample(), &config(), &out, None).unwrap_err();
    assert!(matches!(err, SiteError::ForeignOutput { .. }), "{err}");
    assert_eq!(fs::read_to_string(out.join("keep.txt")).unwrap(), "mine");
}

#[test]
fn a_second_build_at_the_same_time_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&sample(), &config(), &out, None).unwrap();
    let lock = fs::File::open(dir.path().join(".public.versions/.lock")).unwrap();
    lock.lock().unwrap();
    let err = build(&sample(), &config(), &out, None).unwrap_err();
    assert!(matches!(err, SiteError::Busy { .. }), "{err}");
    lock.unlock().unwrap();
    build(&sample(), &config(), &out, None).unwrap();
}

#[test]
fn an_unchanged_generation_loads_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let first =
        build_generation("g1", || Ok(sample()), &config(), &out, None, Shrink::Refuse).unwrap();
    assert!(first.changed());
    let before = inodes(&out);

    let unloadable = || -> Result<SiteData, LoadError> { panic!("the data was loaded") };
    let second = build_generation("g1", unloadable, &config(), &out, None, Shrink::Refuse).unwrap();
    assert!(!second.changed());
    assert_eq!((second.files, second.written), (first.files, 0));
    assert_eq!(inodes(&out), before);

    // Another config, or another generation, loads the data again.
    let retitled = SiteConfig {
        title: "another title".into(),
        ..config()
    };
    let mut loads = 0;
    let mut load = || -> Result<SiteData, LoadError> {
        loads += 1;
        Ok(sample())
    };
    let third = build_generation("g1", &mut load, &retitled, &out, None, Shrink::Refuse).unwrap();
    assert!(third.changed(), "the title is on every page");
    let fourth = build_generation("g2", &mut load, &retitled, &out, None, Shrink::Refuse).unwrap();
    assert_eq!(loads, 2);
    assert_eq!(fourth.written, 0, "same data, nothing to write");
    // ...and is remembered: the next build with it loads nothing.
    build_generation("g2", unloadable, &retitled, &out, None, Shrink::Refuse).unwrap();

    // A failed load fails the build with the loader's reason.
    let failing = || -> Result<SiteData, LoadError> { Err("store unreadable".into()) };
    let err = build_generation("g3", failing, &retitled, &out, None, Shrink::Refuse).unwrap_err();
    assert!(matches!(err, SiteError::Load(_)), "{err}");
}

#[test]
fn a_build_removing_most_of_the_site_is_refused_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let mut data = sample();
    build(&data, &config(), &out, None).unwrap();
    let before = inodes(&out);

    data.roms.clear();
    let err = build(&data, &config(), &out, None).unwrap_err();
    assert!(matches!(err, SiteError::Shrink { .. }), "{err}");
    assert_eq!(inodes(&out), before, "nothing was written");
    assert!(
        !fs::read_dir(dir.path().join(".public.versions"))
            .unwrap()
            .any(|e| e.unwrap().file_name().to_string_lossy().contains("partial")),
        "nothing was staged"
    );

    let report = build_with(&data, &config(), &out, None, Shrink::Allow).unwrap();
    assert!(report.removed * 2 > before.len(), "{}", report.removed);
}

#[test]
fn text_files_have_compressed_copies_carried_over_with_them() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let mut data = sample();
    build(&data, &config(), &out, None).unwrap();
    let copies = copies(&out);
    for file in [
        "index.html",
        "miui/capricorn/index.html",
        "rss.xml",
        "api/v1/devices.json",
    ] {
        let plain = read_bytes(&out, file);
        let mut gz = Vec::new();
        flate2::read::GzDecoder::new(&read_bytes(&out, &format!("{file}.gz"))[..])
            .read_to_end(&mut gz)
            .unwrap();
        assert_eq!(gz, plain, "{file}.gz");
        let mut br = Vec::new();
        brotli::BrotliDecompress(&mut &read_bytes(&out, &format!("{file}.br"))[..], &mut br)
            .unwrap();
        assert_eq!(br, plain, "{file}.br");
    }
    assert!(
        !copies.iter().any(|c| c.starts_with("favicon.ico")),
        "{copies:?}"
    );

    // One new ROM: the copies of unchanged files are carried over, those
    // of changed files written anew with them.
    let ino = |f: &str| {
        use std::os::unix::fs::MetadataExt;
        fs::metadata(out.join(f)).unwrap().ino()
    };
    let capricorn = ino("miui/capricorn/index.html.br");
    let santoni = ino("miui/santoni/index.html.br");
    data.roms.push(rom(
        "santoni_global",
        "7.12.29",
        Branch::Weekly,
        Method::Recovery,
        29,
    ));
    build(&data, &config(), &out, None).unwrap();
    assert_eq!(ino("miui/capricorn/index.html.br"), capricorn);
    assert_ne!(ino("miui/santoni/index.html.br"), santoni);
    let after = inodes(&out);
    assert!(after.contains_key("miui/santoni/weekly/7.12.29/index.html"));
    assert!(
        out.join("miui/santoni/weekly/7.12.29/index.html.gz")
            .exists()
    );
}
