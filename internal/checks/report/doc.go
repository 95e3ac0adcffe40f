// Package report writes the results of a checks.Run: a line per check and
// a summary for people (Text), the stable JSON document of `ssowiz check
// --json` (JSON), and JUnit XML for CI systems (JUnit).
//
// # The JSON document (version 1)
//
// One object; fields are never removed or change meaning within a version,
// new ones may be added:
//
//	{
//	  "version": 1,
//	  "ok": false,                      // no check failed (warnings and skips allowed)
//	  "setup": "setup.yaml",            // the setup file, or "" for the guide's defaults
//	  "started": "2026-11-29T19:00:00Z",
//	  "duration_ms": 412,
//	  "summary": {"total": 8, "passed": 6, "failed": 1, "warnings": 1, "skipped": 0},
//	  "checks": [{
//	    "id": "sp-sign-in",             // stable; what --only and --skip take
//	    "number": 3,
//	    "title": "SP-initiated sign-in from /sso",
//	    "proves": "…",
//	    "result": "fail",               // pass, fail, warn or skip
//	    "duration_ms": 41,
//	    "summary": "Entra refused Adele Vance's sign-in: AADSTS50011.",
//	    "details": ["…"],               // evidence, one fact each; never a secret
//	    "remediations": [{
//	      "field": "saml.reply_url",    // setup file path; "" when no setup field holds it
//	      "line": 4,                    // in the setup file; omitted when unknown
//	      "screen": "Entra admin center › … › Basic SAML Configuration",
//	      "label": "Reply URL (Assertion Consumer Service URL)",
//	      "value": "https://auth2.rudderstack.com/saml2/idpresponse/",
//	      "expected": "https://auth2.rudderstack.com/saml2/idpresponse",
//	      "problem": "…",
//	      "fix": "…"
//	    }],
//	    "har": "hars/03-sp-sign-in.har" // omitted unless --har
//	  }]
//	}
package report
