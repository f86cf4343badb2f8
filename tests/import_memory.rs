//! `tdaw import` of a WAV whose header claims a 4 GB data chunk: refused with one clear line,
//! and the child process's peak memory (getrusage) stays small. Alone in its test binary so
//! no other child process counts towards the peak.

use assert_cmd::Command;

fn lying_wav(riff_len: u32, data_len: u32, actual: usize) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(b"RIFF");
    v.extend_from_slice(&riff_len.to_le_bytes());
    v.extend_from_slice(b"WAVEfmt ");
    v.extend_from_slice(&16u32.to_le_bytes());
    for x in [1u16, 2] {
        v.extend_from_slice(&x.to_le_bytes());
    }
    v.extend_from_slice(&48_000u32.to_le_bytes());
    v.extend_from_slice(&(48_000u32 * 4).to_le_bytes());
    for x in [4u16, 16] {
        v.extend_from_slice(&x.to_le_bytes());
    }
    v.extend_from_slice(b"data");
    v.extend_from_slice(&data_len.to_le_bytes());
    v.resize(v.len() + actual, 0);
    v
}

fn children_max_rss_kib() -> i64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a full rusage struct into the pointer it is given.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr()) };
    assert_eq!(rc, 0);
    // SAFETY: initialised by the successful call above.
    unsafe { usage.assume_init() }.ru_maxrss
}

#[test]
fn four_gb_claims_are_refused_in_bounded_memory() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let project = tmp.path().join("p");
    Command::cargo_bin("tdaw")
        .unwrap()
        .env("TDAW_HOME", &home)
        .arg("new")
        .arg(&project)
        .assert()
        .success();
    let before = std::fs::read(project.join("project.toml")).unwrap();
    // Both ways a header can lie: a consistent RIFF size, and a data chunk bigger than it.
    for (name, riff, problem) in [
        ("claims4gb.wav", u32::MAX, "truncated"),
        ("inconsistent.wav", 36 + 2_000_000, "header is damaged"),
    ] {
        let f = tmp.path().join(name);
        std::fs::write(&f, lying_wav(riff, u32::MAX - 64, 2_000_000)).unwrap();
        let out = Command::cargo_bin("tdaw")
            .unwrap()
            .env("TDAW_HOME", &home)
            .arg("import")
            .arg(&project)
            .arg(&f)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with("error: ") && err.contains(name), "{err}");
        assert!(err.contains(problem), "{err}");
        assert_eq!(std::fs::read(project.join("project.toml")).unwrap(), before);
    }
    let rss = children_max_rss_kib();
    println!("peak RSS of the tdaw children: {rss} KiB");
    assert!(rss < 100 * 1024, "a child used {rss} KiB");
    assert!(std::fs::read_dir(project.join("audio"))
        .unwrap()
        .next()
        .is_none());
}
