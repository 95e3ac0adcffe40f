package checks

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ssowiz/ssowiz/internal/har"
	"github.com/ssowiz/ssowiz/internal/setup"
)

// plantedRelayState is a secret the admin typed (Relay State travels in
// the IdP-initiated flow) that must not survive redaction.
const plantedRelayState = "https://app.rudderstack.com/?secret=planted-7c1e9a"

func TestHARFilesAreHAR12WithEveryFlowAndNoSecret(t *testing.T) {
	e := newEnv(t, Options{})
	s := setup.Default()
	s.SAML.RelayState = plantedRelayState
	var passwords []string
	run := func(raw bool) (*Report, string) {
		dir := t.TempDir()
		rep, err := e.Run(context.Background(), s, RunOptions{HARDir: dir, HARRaw: raw, afterApply: func(_ context.Context, r *rehearsal) error {
			for _, u := range r.m.lab.Info().Users {
				passwords = append(passwords, u.Password)
			}
			return nil
		}})
		if err != nil {
			t.Fatal(err)
		}
		return rep, dir
	}

	rep, dir := run(false)
	files, _ := filepath.Glob(filepath.Join(dir, "*.har"))
	var browserChecks []string
	for _, c := range Catalogue() {
		if c.Browser {
			browserChecks = append(browserChecks, fmt.Sprintf("%02d-%s.har", c.Number, c.ID))
		}
	}
	if len(files) != len(browserChecks) {
		t.Fatalf("HAR files %v; want one per browser check %v", files, browserChecks)
	}
	for _, name := range browserChecks {
		path := filepath.Join(dir, name)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		id := strings.TrimSuffix(name[3:], ".har")
		if r := result(t, rep, id); r.HAR != path {
			t.Errorf("%s: result names HAR %q, want %q", id, r.HAR, path)
		}
		pages := validateHAR12(t, name, data)
		if pages == 0 {
			t.Errorf("%s has no pages", name)
		}
		for _, secret := range append([]string{plantedRelayState, "planted-7c1e9a"}, passwords...) {
			if strings.Contains(string(data), secret) {
				t.Errorf("%s holds a secret after redaction: %q", name, secret)
			}
		}
		h, err := har.Read(strings.NewReader(string(data)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, en := range h.Log.Entries {
			for _, c := range append(en.Request.Cookies, en.Response.Cookies...) {
				if c.Value != "" && c.Value != har.Masked {
					t.Errorf("%s: cookie %s kept its value", name, c.Name)
				}
			}
		}
	}
	// Each sign-in of check 3 is a page of its own.
	if data, _ := os.ReadFile(filepath.Join(dir, "03-sp-sign-in.har")); validateHAR12(t, "03", data) != 2 {
		t.Errorf("03-sp-sign-in.har should have a page for each of the two sign-ins")
	}

	// The same flows kept raw do hold the secrets, so the test above can
	// fail.
	_, rawDir := run(true)
	raw, err := os.ReadFile(filepath.Join(rawDir, "05-idp-initiated.har"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), "planted-7c1e9a") {
		t.Fatal("the raw HAR of the IdP-initiated flow does not carry the Relay State; the redaction test proves nothing")
	}
	if fi, err := os.Stat(filepath.Join(rawDir, "05-idp-initiated.har")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("a raw HAR must be readable by its owner only: %v %v", fi.Mode(), err)
	}
}

// validateHAR12 checks a file against the HAR 1.2 structure (required
// members and their types, pagerefs that name a page) and returns the
// number of pages.
func validateHAR12(t *testing.T, name string, data []byte) int {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s is not JSON: %v", name, err)
	}
	fail := func(format string, args ...any) { t.Errorf("%s: "+format, append([]any{name}, args...)...) }
	obj := func(v any, path string) map[string]any {
		m, ok := v.(map[string]any)
		if !ok {
			fail("%s is not an object", path)
		}
		return m
	}
	arr := func(v any, path string) []any {
		a, ok := v.([]any)
		if !ok {
			fail("%s is not an array", path)
		}
		return a
	}
	str := func(m map[string]any, k, path string) string {
		s, ok := m[k].(string)
		if !ok {
			fail("%s.%s is not a string", path, k)
		}
		return s
	}
	num := func(m map[string]any, k, path string) float64 {
		f, ok := m[k].(float64)
		if !ok {
			fail("%s.%s is not a number", path, k)
		}
		return f
	}
	date := func(m map[string]any, k, path string) {
		if _, err := time.Parse(time.RFC3339Nano, str(m, k, path)); err != nil {
			fail("%s.%s is not an ISO 8601 date: %v", path, k, err)
		}
	}
	nameValues := func(v any, path string) {
		for i, x := range arr(v, path) {
			nv := obj(x, fmt.Sprintf("%s[%d]", path, i))
			str(nv, "name", path)
			str(nv, "value", path)
		}
	}
	log := obj(doc["log"], "log")
	if v := str(log, "version", "log"); v != "1.2" {
		fail("log.version is %q, want 1.2", v)
	}
	creator := obj(log["creator"], "log.creator")
	str(creator, "name", "log.creator")
	str(creator, "version", "log.creator")
	ids := map[string]bool{}
	pages := arr(log["pages"], "log.pages")
	for i, p := range pages {
		path := fmt.Sprintf("log.pages[%d]", i)
		pm := obj(p, path)
		date(pm, "startedDateTime", path)
		ids[str(pm, "id", path)] = true
		str(pm, "title", path)
		obj(pm["pageTimings"], path+".pageTimings")
	}
	entries := arr(log["entries"], "log.entries")
	if len(entries) == 0 {
		fail("no entries")
	}
	for i, e := range entries {
		path := fmt.Sprintf("log.entries[%d]", i)
		em := obj(e, path)
		date(em, "startedDateTime", path)
		if num(em, "time", path) < 0 {
			fail("%s.time is negative", path)
		}
		if ref, ok := em["pageref"].(string); ok && !ids[ref] {
			fail("%s.pageref %q names no page", path, ref)
		}
		req := obj(em["request"], path+".request")
		for _, k := range []string{"method", "url", "httpVersion"} {
			str(req, k, path+".request")
		}
		nameValues(req["cookies"], path+".request.cookies")
		nameValues(req["headers"], path+".request.headers")
		nameValues(req["queryString"], path+".request.queryString")
		num(req, "headersSize", path+".request")
		num(req, "bodySize", path+".request")
		if pd, ok := req["postData"]; ok {
			str(obj(pd, path+".request.postData"), "mimeType", path+".request.postData")
		}
		resp := obj(em["response"], path+".response")
		num(resp, "status", path+".response")
		for _, k := range []string{"statusText", "httpVersion", "redirectURL"} {
			str(resp, k, path+".response")
		}
		nameValues(resp["cookies"], path+".response.cookies")
		nameValues(resp["headers"], path+".response.headers")
		content := obj(resp["content"], path+".response.content")
		num(content, "size", path+".response.content")
		str(content, "mimeType", path+".response.content")
		num(resp, "headersSize", path+".response")
		num(resp, "bodySize", path+".response")
		obj(em["cache"], path+".cache")
		timings := obj(em["timings"], path+".timings")
		for _, k := range []string{"send", "wait", "receive"} {
			if num(timings, k, path+".timings") < 0 {
				fail("%s.timings.%s is negative", path, k)
			}
		}
	}
	return len(pages)
}
