//! Shared helpers of the CLI tests: run the real binary in a scratch
//! directory, as a user would.

#![allow(dead_code)] // each test file uses a different part of it

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    pub fn create() -> Scratch {
        Scratch {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, text).expect("write fixture");
        path
    }

    /// Runs `romwatch ARGS` in the scratch directory (so the default
    /// `romwatch.db` lands there), with `stdin` as standard input.
    pub fn run_with_stdin(&self, args: &[&str], stdin: &[u8]) -> Output {
        self.run_full(args, stdin, &[])
    }

    fn run_full(&self, args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_romwatch"))
            .args(args)
            .envs(env.iter().copied())
            .current_dir(self.dir.path())
            .env_remove("ROMWATCH_DB")
            .env_remove("ROMWATCH_CONFIG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn romwatch");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin)
            .expect("write stdin");
        child.wait_with_output().expect("wait romwatch")
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.run_with_stdin(args, b"")
    }

    /// Runs with extra environment variables, whatever the outcome.
    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        self.run_full(args, b"", env)
    }

    /// Runs and asserts success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        self.ok_env(args, &[])
    }

    /// Runs with extra environment variables and asserts success.
    pub fn ok_env(&self, args: &[&str], env: &[(&str, &str)]) -> String {
        let out = self.run_full(args, b"", env);
        assert!(
            out.status.success(),
            "romwatch {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 stdout")
    }

    pub fn rom_count(&self) -> u64 {
        let stats: serde_json::Value =
            serde_json::from_str(&self.ok(&["stats", "--json"])).expect("stats json");
        stats["roms"].as_u64().expect("roms count")
    }
}

pub fn shared_dataset() -> Option<PathBuf> {
    let path = std::env::var("ROMWATCH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/xfu-roms.jsonl")
        });
    path.exists().then_some(path)
}

/// Three records of the shared dataset's form: a weekly recovery ROM with
/// an incremental of the same device, its fastboot twin, and a HyperOS ROM.
pub const SAMPLE: &str = r#"{"codename":"capricorn","device":"Mi 5s Global","os":"miui","version":"7.12.28","branch":"Weekly","type":"Fastboot","size":"1.5 GB","date":"2017-12-28","filename":"capricorn_global_images_7.12.28_20171228.0000.00_7.0_global_5cf771487f.tgz","md5":null,"url":"https://bigota.d.miui.com/7.12.28/capricorn_global_images_7.12.28_20171228.0000.00_7.0_global_5cf771487f.tgz","changelog":"Bug fixes and system optimizations.","android":"7.0","mirror_hosts":[],"incremental_url":null,"card_index":1,"card_codename":"capricorn"}
{"codename":"capricorn","device":"Mi 5s Global","os":"miui","version":"7.12.28","branch":"Weekly","type":"Recovery","size":"1.4 GB","date":"2017-12-28","filename":"miui_MI5SGlobal_7.12.28_409451bb85_7.0.zip","md5":"409451bb85a0b2c1d2e3f4a5b6c7d8e9","url":"https://bigota.d.miui.com/7.12.28/miui_MI5SGlobal_7.12.28_409451bb85_7.0.zip","changelog":"Bug fixes.","android":"7.0","mirror_hosts":["bigota.d.miui.com","hugeota.d.miui.com"],"incremental_url":"https://bigota.d.miui.com/7.12.28/miui-blockota-capricorn_global-7.12.21-7.12.28-0123456789-7.0.zip","card_index":2,"card_codename":"capricorn"}
{"codename":"agate","device":"Xiaomi 11T EEA","os":"hyperos","version":"OS1.0.10.0.UKWEUXM","branch":"Stable","type":"Recovery","size":"4.9 GB","date":"2025-01-21","filename":"miui_AGATEEEAGlobal_OS1.0.10.0.UKWEUXM_6e09feeec4_14.0.zip","md5":"6e09feeec4fd978802f4db87ddd7035b","url":"https://bigota.d.miui.com/OS1.0.10.0.UKWEUXM/miui_AGATEEEAGlobal_OS1.0.10.0.UKWEUXM_6e09feeec4_14.0.zip","changelog":"[System]\nUpdated the security patch.","android":"14.0","mirror_hosts":[],"incremental_url":null}
"#;

/// The two entries of the reference `latest.yml` quoted in the issue.
pub const LATEST_YML: &str = "- android: '16.0'
  branch: Stable
  codename: leedsa_global
  date: 2026-08-19
  link: https://bigota.d.miui.com/OS3.0.306.0.WDTMIXM/leedsa_global-ota_full-OS3.0.306.0.WDTMIXM-user-16.0-7e693c762c.zip
  md5: 7e693c762cecb4e853689e4f95024f18
  method: Recovery
  name: Redmi 17 / POCO C95 Pro Global
  size: 5.2 GB
  version: OS3.0.306.0.WDTMIXM
- android: '4.4'
  branch: Weekly
  codename: HM2013022
  date: 2017-11-15
  link: https://bigota.d.miui.com/7.11.16/miui_HMTD_7.11.16_79d730de3e_4.4.zip
  md5: 79d730de3e2d6c5373d12a1b23e1120a
  method: Recovery
  name: Redmi 1 TD China
  size: 460.1 MB
  version: 7.11.16
";

/// One plain HTTP/1.1 request on a connection of its own: the head and the
/// body of the answer.
pub fn http(addr: &str, method: &str, path: &str) -> (String, String) {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(addr).unwrap_or_else(|e| panic!("{addr}: {e}"));
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    (head.to_string(), body.to_string())
}

/// Starts `romwatch ARGS` in `dir` (a server: `sim`, `serve`) and returns
/// it with the address it announced on its first line of stderr
/// (`… http://127.0.0.1:PORT …`).
pub fn spawn_listening(dir: &Path, args: &[&str]) -> (std::process::Child, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_romwatch"));
    command.args(args);
    spawn_command_listening(dir, command)
}

/// As [`spawn_listening`], for a command that ends up running romwatch
/// (through `sh -c '…; exec romwatch …'`, say).
pub fn spawn_command_listening(dir: &Path, mut command: Command) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut child = command
        .current_dir(dir)
        .env_remove("ROMWATCH_DB")
        .env_remove("ROMWATCH_CONFIG")
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn romwatch");
    let mut line = String::new();
    std::io::BufReader::new(child.stderr.take().expect("stderr"))
        .read_line(&mut line)
        .expect("first line");
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| c == '/' || c.is_whitespace()).next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    (child, addr)
}

/// Sends a signal (`INT`, `TERM`) to a child process.
pub fn signal(child: &std::process::Child, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
}

/// Serves `app` on a loopback port from a thread of its own (a mock of a
/// service romwatch talks to); returns its base URL, `http://127.0.0.1:PORT`.
pub fn serve_app(app: axum::Router) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    url
}

/// A simulator child process (`romwatch sim`), killed when dropped.
pub struct Sim {
    child: std::process::Child,
    addr: String,
}

impl Sim {
    /// A generated catalog of `devices` variants, with `--fault` rules.
    pub fn start(devices: usize, seed: u64, faults: &[&str]) -> Sim {
        let flags: Vec<[&str; 2]> = faults.iter().map(|f| ["--fault", *f]).collect();
        Sim::start_with(devices, seed, &flags.concat())
    }

    /// A generated catalog of `devices` variants, with more flags.
    pub fn start_with(devices: usize, seed: u64, flags: &[&str]) -> Sim {
        let (devices, seed) = (devices.to_string(), seed.to_string());
        let mut args = vec![
            "sim",
            "--listen",
            "127.0.0.1:0",
            "--devices",
            &devices,
            "--seed",
            &seed,
        ];
        args.extend(flags);
        let (child, addr) = spawn_listening(Path::new("."), &args);
        Sim { child, addr }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The body of the simulator's answer.
    pub fn http(&self, method: &str, path: &str) -> String {
        http(&self.addr, method, path).1
    }

    /// A config file for a fast run (no rate limits) that reads the
    /// simulator's China posts, followed by `more`.
    pub fn config_with(&self, scratch: &Scratch, more: &str) {
        let posts = self.http("GET", "/_sim/posts");
        scratch.write(
            "romwatch.toml",
            &format!(
                "[tracker]\nrate = 0\nconcurrency = 8\nbatch_files = 8\nchina_posts = {posts}\n\n[mirrors]\nrate = 0\nconcurrency = 16\n{more}"
            ),
        );
    }

    /// [`Sim::config_with`] and nothing more.
    pub fn config(&self, scratch: &Scratch) {
        self.config_with(scratch, "");
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The requests a mock webhook receiver got: headers and body.
pub type Received = std::sync::Arc<std::sync::Mutex<Vec<(axum::http::HeaderMap, String)>>>;

/// A webhook receiver on a thread of its own; returns its URL and what it got.
pub fn receiver() -> (String, Received) {
    let got = Received::default();
    let sink = got.clone();
    let app = axum::Router::new().fallback(
        move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
            let sink = sink.clone();
            async move {
                sink.lock()
                    .unwrap()
                    .push((headers, String::from_utf8_lossy(&body).into_owned()));
                "ok"
            }
        },
    );
    (format!("{}/hook", serve_app(app)), got)
}
