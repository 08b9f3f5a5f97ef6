//! Fault injection for the simulator: per source, added latency and
//! failures drawn by probability or scheduled on given request numbers.
//!
//! A rule is written `[<source>:]<fault>[=<arg>][@<when>]`, the form the CLI
//! takes with `--fault`:
//!
//! - `<source>` is `ota`, `fullrom`, `community`, `china` or `cdn`; without
//!   it the rule applies to every source where the fault makes sense.
//! - `<fault>` is one of `latency=<ms>`, `timeout`, `reset`, `429[=<secs>]`,
//!   `500`, `502`, `503`, `html`, `truncated`, `wrong-cipher`, `bad-base64`,
//!   `code-reply`, `small-body`, `no-package`, `ignore-range`.
//! - `@<when>` is a probability (`@0.2` or `@20%`) or request numbers of that
//!   source, counted from 1 (`@1`, `@1-3,7`). Without it the rule always applies.
//!
//! Examples: `ota:503@0.1`, `cdn:small-body@1-2`, `latency=150`, `429=5@10%`.

use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use romwatch_upstream::SourceId;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One kind of misbehaviour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fault {
    /// Answer normally, this much later (adds up with other faults).
    Latency(Duration),
    /// Hold the request longer than any client waits ([`FaultConfig::timeout_hold`]).
    Timeout,
    /// Drop the connection before the answer is complete.
    Reset,
    /// `429 Too Many Requests` with `Retry-After` in seconds.
    TooManyRequests { retry_after_secs: u64 },
    /// A 5xx status (500, 502, 503).
    Status(u16),
    /// `200` with an HTML error page.
    HtmlPage,
    /// The answer's JSON cut in half (inside the envelope for the OTA API);
    /// on the CDN, a `Range` answer holding half the bytes its
    /// `Content-Range` names.
    TruncatedJson,
    /// OTA: an answer encrypted under another key (bad padding).
    WrongCiphertext,
    /// OTA: an answer that is not Base64.
    BadBase64,
    /// An error object: `code` for the OTA API, a non-success code elsewhere.
    ErrorReply,
    /// CDN: a few hundred bytes (an error page) where a package should be.
    SmallBody,
    /// Full-ROM endpoint: "no package" (`Location: http://www.miui.com/`, or
    /// an empty `LatestFullRom`).
    NoPackage,
    /// CDN: `Range` ignored, the whole package answered with `200`.
    IgnoreRange,
}

impl Fault {
    /// Whether the fault means something on a source.
    pub fn applies_to(self, source: SourceId) -> bool {
        use SourceId::*;
        match self {
            Fault::Latency(_)
            | Fault::Timeout
            | Fault::Reset
            | Fault::TooManyRequests { .. }
            | Fault::Status(_)
            | Fault::HtmlPage => true,
            Fault::TruncatedJson => true,
            Fault::WrongCiphertext | Fault::BadBase64 => source == Ota,
            Fault::ErrorReply => matches!(source, Ota | FullRom | Community | ChinaCommunity),
            Fault::SmallBody => source == Cdn,
            Fault::NoPackage => source == FullRom,
            Fault::IgnoreRange => source == Cdn,
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Latency(d) => write!(f, "latency={}", d.as_millis()),
            Fault::Timeout => f.write_str("timeout"),
            Fault::Reset => f.write_str("reset"),
            Fault::TooManyRequests { retry_after_secs } => write!(f, "429={retry_after_secs}"),
            Fault::Status(code) => write!(f, "{code}"),
            Fault::HtmlPage => f.write_str("html"),
            Fault::TruncatedJson => f.write_str("truncated"),
            Fault::WrongCiphertext => f.write_str("wrong-cipher"),
            Fault::BadBase64 => f.write_str("bad-base64"),
            Fault::ErrorReply => f.write_str("code-reply"),
            Fault::SmallBody => f.write_str("small-body"),
            Fault::NoPackage => f.write_str("no-package"),
            Fault::IgnoreRange => f.write_str("ignore-range"),
        }
    }
}

/// When a rule fires.
#[derive(Debug, Clone, PartialEq)]
pub enum Trigger {
    Always,
    /// On each request with this probability (0 to 1).
    Probability(f64),
    /// On these request numbers of the source (from 1), inclusive ranges.
    Requests(Vec<(u64, u64)>),
}

/// One rule: a fault, where, and when.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultRule {
    /// `None`: every source where the fault applies.
    pub source: Option<SourceId>,
    pub fault: Fault,
    pub trigger: Trigger,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad fault rule {rule:?}: {reason} (expected [<source>:]<fault>[=<arg>][@<when>])")]
pub struct FaultRuleError {
    pub rule: String,
    pub reason: String,
}

impl FromStr for FaultRule {
    type Err = FaultRuleError;

    fn from_str(text: &str) -> Result<FaultRule, FaultRuleError> {
        let fail = |reason: String| FaultRuleError {
            rule: text.to_string(),
            reason,
        };
        let (body, when) = match text.trim().split_once('@') {
            Some((body, when)) => (body, Some(when)),
            None => (text.trim(), None),
        };
        let (source, fault) = match body.split_once(':') {
            Some((source, fault)) => {
                let id = SourceId::from_key(source).ok_or_else(|| {
                    fail(format!(
                        "unknown source {source:?} (ota, fullrom, community, china, cdn)"
                    ))
                })?;
                (Some(id), fault)
            }
            None => (None, body),
        };
        let (name, arg) = match fault.split_once('=') {
            Some((name, arg)) => (name, Some(arg)),
            None => (fault, None),
        };
        let number = |what: &str| -> Result<u64, FaultRuleError> {
            let arg = arg.ok_or_else(|| fail(format!("{name} needs ={what}")))?;
            arg.trim_end_matches("ms")
                .parse()
                .map_err(|_| fail(format!("{name}: {arg:?} is not a number of {what}")))
        };
        let no_arg = |fault: Fault| match arg {
            Some(arg) => Err(fail(format!("{name} takes no argument (got {arg:?})"))),
            None => Ok(fault),
        };
        let fault = match name {
            "latency" => Fault::Latency(Duration::from_millis(number("milliseconds")?)),
            "timeout" => no_arg(Fault::Timeout)?,
            "reset" => no_arg(Fault::Reset)?,
            "429" => Fault::TooManyRequests {
                retry_after_secs: if arg.is_some() { number("seconds")? } else { 1 },
            },
            "500" | "502" | "503" => no_arg(Fault::Status(name.parse().unwrap_or(500)))?,
            "html" => no_arg(Fault::HtmlPage)?,
            "truncated" => no_arg(Fault::TruncatedJson)?,
            "wrong-cipher" => no_arg(Fault::WrongCiphertext)?,
            "bad-base64" => no_arg(Fault::BadBase64)?,
            "code-reply" => no_arg(Fault::ErrorReply)?,
            "small-body" => no_arg(Fault::SmallBody)?,
            "no-package" => no_arg(Fault::NoPackage)?,
            "ignore-range" => no_arg(Fault::IgnoreRange)?,
            other => return Err(fail(format!("unknown fault {other:?}"))),
        };
        if let Some(source) = source
            && !fault.applies_to(source)
        {
            return Err(fail(format!("{fault} does not apply to the {source}")));
        }
        let trigger = match when {
            None => Trigger::Always,
            Some(when) => parse_trigger(when).map_err(fail)?,
        };
        Ok(FaultRule {
            source,
            fault,
            trigger,
        })
    }
}

fn parse_trigger(when: &str) -> Result<Trigger, String> {
    let probability = if let Some(percent) = when.strip_suffix('%') {
        Some(percent.parse::<f64>().map(|p| p / 100.0))
    } else if when.contains('.') {
        Some(when.parse::<f64>())
    } else {
        None
    };
    if let Some(p) = probability {
        let p = p.map_err(|_| format!("{when:?} is not a probability"))?;
        if !(0.0..=1.0).contains(&p) {
            return Err(format!("probability {when} is not between 0 and 1"));
        }
        return Ok(Trigger::Probability(p));
    }
    let ranges = when
        .split(',')
        .map(|part| {
            let (a, b) = part.split_once('-').unwrap_or((part, part));
            let a: u64 = a
                .trim()
                .parse()
                .map_err(|_| format!("{part:?} is not a request number"))?;
            let b: u64 = b
                .trim()
                .parse()
                .map_err(|_| format!("{part:?} is not a request number"))?;
            if a == 0 || b < a {
                return Err(format!("request range {part:?} must count up from 1"));
            }
            Ok((a, b))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Trigger::Requests(ranges))
}

impl fmt::Display for FaultRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(source) = self.source {
            write!(f, "{}:", source.key())?;
        }
        write!(f, "{}", self.fault)?;
        match &self.trigger {
            Trigger::Always => Ok(()),
            Trigger::Probability(p) => write!(f, "@{p}"),
            Trigger::Requests(ranges) => {
                let parts: Vec<String> = ranges
                    .iter()
                    .map(|(a, b)| {
                        if a == b {
                            a.to_string()
                        } else {
                            format!("{a}-{b}")
                        }
                    })
                    .collect();
                write!(f, "@{}", parts.join(","))
            }
        }
    }
}

impl Serialize for FaultRule {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for FaultRule {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// The simulator's fault settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FaultConfig {
    /// The rules, in order; the first failure that fires on a request wins,
    /// and every latency that fires is added.
    pub rules: Vec<FaultRule>,
    /// How long a `timeout` fault holds a request (longer than clients
    /// wait). Probabilistic rules draw from [`crate::SimOptions::seed`], so
    /// a run can be replayed.
    pub timeout_hold_ms: u64,
}

impl Default for FaultConfig {
    fn default() -> FaultConfig {
        FaultConfig {
            rules: Vec::new(),
            timeout_hold_ms: 60_000,
        }
    }
}

impl FaultConfig {
    /// Parses `--fault` arguments.
    pub fn from_rules<S: AsRef<str>>(rules: &[S]) -> Result<FaultConfig, FaultRuleError> {
        Ok(FaultConfig {
            rules: rules
                .iter()
                .map(|r| r.as_ref().parse())
                .collect::<Result<_, _>>()?,
            ..FaultConfig::default()
        })
    }
}

/// What to do with one request.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Draw {
    pub latency: Duration,
    pub fault: Option<Fault>,
}

/// The running state of the rules: request counters and the seeded draws.
#[derive(Debug)]
pub(crate) struct Faults {
    config: FaultConfig,
    counters: [AtomicU64; 5],
    rng: Mutex<ChaCha8Rng>,
}

impl Faults {
    pub fn new(config: FaultConfig, seed: u64) -> Faults {
        Faults {
            rng: Mutex::new(ChaCha8Rng::seed_from_u64(seed)),
            config,
            counters: Default::default(),
        }
    }

    pub fn timeout_hold(&self) -> Duration {
        Duration::from_millis(self.config.timeout_hold_ms)
    }

    /// Counts a request to `source` and decides its fate.
    pub fn draw(&self, source: SourceId) -> Draw {
        let index = SourceId::ALL.iter().position(|s| *s == source).unwrap_or(0);
        let number = self.counters[index].fetch_add(1, Ordering::Relaxed) + 1;
        let mut draw = Draw::default();
        for rule in &self.config.rules {
            if rule.source.is_some_and(|s| s != source) || !rule.fault.applies_to(source) {
                continue;
            }
            let fires = match &rule.trigger {
                Trigger::Always => true,
                Trigger::Requests(ranges) => {
                    ranges.iter().any(|(a, b)| (*a..=*b).contains(&number))
                }
                Trigger::Probability(p) => {
                    // A poisoned lock only means another request panicked mid-draw;
                    // the generator is still usable.
                    let mut rng = self.rng.lock().unwrap_or_else(|e| e.into_inner());
                    rng.random_bool(*p)
                }
            };
            match (fires, rule.fault) {
                (true, Fault::Latency(d)) => draw.latency += d,
                (true, fault) if draw.fault.is_none() => draw.fault = Some(fault),
                _ => {}
            }
        }
        draw
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_parse_and_print_back() {
        for text in [
            "ota:503@0.1",
            "cdn:small-body@1-2,5",
            "latency=150",
            "429=5@0.25",
            "fullrom:no-package",
            "china:code-reply@3",
        ] {
            let rule: FaultRule = text.parse().unwrap();
            assert_eq!(rule.to_string(), text);
        }
        let rule: FaultRule = "community:html@20%".parse().unwrap();
        assert_eq!(rule.trigger, Trigger::Probability(0.2));
    }

    #[test]
    fn bad_rules_say_why() {
        for (text, why) in [
            ("nope:timeout", "unknown source"),
            ("ota:sparkles", "unknown fault"),
            ("cdn:wrong-cipher", "does not apply"),
            ("ota:503@1.5", "between 0 and 1"),
            ("ota:503@0", "count up from 1"),
            ("latency", "needs"),
            ("timeout=3", "no argument"),
        ] {
            let err = text.parse::<FaultRule>().unwrap_err();
            assert!(err.to_string().contains(why), "{text}: {err}");
        }
    }

    #[test]
    fn schedules_fire_on_their_request_numbers() {
        let faults = Faults::new(
            FaultConfig::from_rules(&["ota:503@2-3", "latency=5", "reset@0.0"]).unwrap(),
            1,
        );
        let fates: Vec<_> = (0..4).map(|_| faults.draw(SourceId::Ota).fault).collect();
        assert_eq!(
            fates,
            [
                None,
                Some(Fault::Status(503)),
                Some(Fault::Status(503)),
                None
            ]
        );
        assert_eq!(faults.draw(SourceId::Cdn).latency, Duration::from_millis(5));
        // Counters are per source: the CDN's first request was not scheduled.
        assert_eq!(faults.draw(SourceId::Cdn).fault, None);
    }

    #[test]
    fn probabilities_are_seeded() {
        let run = || {
            let faults = Faults::new(FaultConfig::from_rules(&["500@0.5"]).unwrap(), 9);
            (0..64)
                .map(|_| faults.draw(SourceId::Community).fault.is_some())
                .collect::<Vec<_>>()
        };
        let first = run();
        assert_eq!(first, run());
        assert!(first.iter().any(|f| *f) && first.iter().any(|f| !*f));
    }
}
