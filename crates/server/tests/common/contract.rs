//! The OpenAPI document as a contract for what romwatch sends: an answer
//! must be declared for its route and status, and its body must validate
//! (with the `jsonschema` crate) against the schema the document gives it.
//! Shared by the server's tests and the binary's (`#[path]`).

// Each test crate that includes this uses part of it.
#![allow(dead_code)]

use serde_json::{Value, json};

pub struct Contract {
    doc: Value,
}

impl Contract {
    pub fn new(doc: Value) -> Contract {
        assert_eq!(doc["openapi"], "3.1.0", "an OpenAPI 3.1 document");
        Contract { doc }
    }

    /// The route of the document that `path` is an instance of: a
    /// `{parameter}` stands for the rest of its segment; the route with the
    /// most fixed text wins (`/api/v1/devices/{codename}.json` over
    /// `/api/v1/devices/{codename}` for `alioth.json`).
    fn route(&self, path: &str) -> Option<String> {
        let routes = self.doc["paths"].as_object()?;
        let matches = |route: &str| {
            let (a, b): (Vec<&str>, Vec<&str>) =
                (route.split('/').collect(), path.split('/').collect());
            a.len() == b.len()
                && a.iter()
                    .zip(&b)
                    .all(|(t, s)| match (t.find('{'), t.find('}')) {
                        (Some(open), Some(close)) => {
                            let (prefix, suffix) = (&t[..open], &t[close + 1..]);
                            s.len() > prefix.len() + suffix.len()
                                && s.starts_with(prefix)
                                && s.ends_with(suffix)
                        }
                        _ => t == s,
                    })
        };
        let fixed = |route: &str| {
            route
                .split('/')
                .map(|t| match (t.find('{'), t.find('}')) {
                    (Some(open), Some(close)) => open + t.len() - close - 1,
                    _ => t.len(),
                })
                .sum::<usize>()
        };
        routes
            .keys()
            .filter(|r| matches(r))
            .max_by_key(|r| fixed(r))
            .cloned()
    }

    /// Checks a `GET` answer: `path` (without the query) must be a route of
    /// the document that declares `status`, with a JSON body the declared
    /// schema accepts. A path under `/api/` that is no route may only
    /// answer an error.
    pub fn check(&self, path: &str, status: u16, body: &str) {
        let value: Value = serde_json::from_str(body)
            .unwrap_or_else(|e| panic!("{path} answered {status} with no JSON ({e}): {body}"));
        let Some(route) = self.route(path) else {
            assert!(
                status >= 400,
                "{path} is no route of the document but answered {status}"
            );
            return self.check_schema(
                &json!({"$ref": "#/components/schemas/ErrorAnswer"}),
                &value,
                path,
            );
        };
        let answer = &self.doc["paths"][&route]["get"]["responses"][status.to_string()];
        assert!(
            answer.is_object(),
            "the document declares no {status} for GET {route} ({path} answered it)"
        );
        let schema = &answer["content"]["application/json"]["schema"];
        assert!(
            schema.is_object(),
            "the {status} of GET {route} has no JSON schema"
        );
        self.check_schema(schema, &value, path);
    }

    /// Checks a webhook body against the document's webhook request body.
    pub fn check_webhook(&self, body: &str) {
        let value: Value = serde_json::from_str(body).expect("a webhook body is JSON");
        let schema = &self.doc["webhooks"]["event"]["post"]["requestBody"]["content"]["application/json"]
            ["schema"];
        assert!(schema.is_object(), "the document describes no webhook body");
        self.check_schema(schema, &value, "a webhook body");
    }

    /// Validates `value` against `schema`, whose references point into the
    /// document's components.
    pub fn check_schema(&self, schema: &Value, value: &Value, what: &str) {
        let mut root = schema.clone();
        root["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
        root["components"] = self.doc["components"].clone();
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&root)
            .unwrap_or_else(|e| panic!("the schema for {what} does not compile: {e}"));
        let errors: Vec<String> = validator
            .iter_errors(value)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{what} does not match its schema: {errors:#?}\n{value}"
        );
    }
}
