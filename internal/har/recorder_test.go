package har_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/ssowiz/ssowiz/internal/har"
)

const (
	recPassword = "Recorded-Secret-Pw1"
	recCookie   = "recordedCookieSecret2"
	recCode     = "recordedCode3"
)

// spLike is a small server that answers like the flow's hosts.
func spLike() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /sso", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: recCookie, Path: "/", HttpOnly: true, Secure: true})
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<html><body>start</body></html>")
	})
	mux.HandleFunc("GET /oauth2/authorize", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/cb?code="+recCode+"&state=s1", http.StatusFound)
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "hello %s", r.PostForm.Get("loginfmt"))
	})
	mux.HandleFunc("GET /logo.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write([]byte{0x89, 'P', 'N', 'G', 0, 1, 2, 0xff})
	})
	mux.HandleFunc("GET /cb", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	return mux
}

func frozen() func() time.Time {
	t0 := time.Date(2025, 6, 2, 15, 4, 5, 0, time.UTC)
	var mu sync.Mutex
	n := 0
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		n++
		return t0.Add(time.Duration(n) * time.Millisecond)
	}
}

func recordFlow(t *testing.T) *har.Recorder {
	t.Helper()
	srv := httptest.NewTLSServer(spLike())
	t.Cleanup(srv.Close)
	rec := har.NewRecorder(srv.Client().Transport, har.RecorderOptions{Now: frozen(), Creator: har.Creator{Name: "ssowiz", Version: "test"}})
	client := &http.Client{Transport: rec, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(req *http.Request) {
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if len(b) == 0 && resp.StatusCode == 200 {
			t.Errorf("%s: the caller got no body; the recorder must hand it on", req.URL)
		}
	}
	rec.StartPage("RudderStack")
	req, _ := http.NewRequest("GET", srv.URL+"/sso", nil)
	req.AddCookie(&http.Cookie{Name: "pre", Value: recCookie})
	do(req)
	req, _ = http.NewRequest("GET", srv.URL+"/oauth2/authorize?identity_provider=Entra&client_id=c1&state=s1", nil)
	do(req)
	rec.StartPage("Sign in")
	form := url.Values{"loginfmt": {"alice@contoso.com"}, "passwd": {recPassword}}
	req, _ = http.NewRequest("POST", srv.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer recordedBearer4xyz")
	do(req)
	req, _ = http.NewRequest("GET", srv.URL+"/logo.png", nil)
	do(req)
	return rec
}

// validateHAR12 checks the members HAR 1.2 requires, on the JSON itself.
func validateHAR12(t *testing.T, b []byte) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	need := func(where string, m any, keys ...string) map[string]any {
		obj, ok := m.(map[string]any)
		if !ok {
			t.Fatalf("%s is not an object", where)
		}
		for _, k := range keys {
			if _, ok := obj[k]; !ok {
				t.Errorf("%s lacks required %q", where, k)
			}
		}
		return obj
	}
	log := need("log", doc["log"], "version", "creator", "entries")
	need("log.creator", log["creator"], "name", "version")
	for i, p := range log["pages"].([]any) {
		need(fmt.Sprintf("pages[%d]", i), p, "startedDateTime", "id", "title", "pageTimings")
	}
	entries := log["entries"].([]any)
	if len(entries) == 0 {
		t.Fatal("no entries")
	}
	for i, e := range entries {
		w := fmt.Sprintf("entries[%d]", i)
		obj := need(w, e, "startedDateTime", "time", "request", "response", "cache", "timings")
		rq := need(w+".request", obj["request"], "method", "url", "httpVersion", "cookies", "headers", "queryString", "headersSize", "bodySize")
		rs := need(w+".response", obj["response"], "status", "statusText", "httpVersion", "cookies", "headers", "content", "redirectURL", "headersSize", "bodySize")
		need(w+".response.content", rs["content"], "size", "mimeType")
		need(w+".timings", obj["timings"], "send", "wait", "receive")
		if pd, ok := rq["postData"]; ok {
			need(w+".request.postData", pd, "mimeType")
		}
		if _, err := time.Parse(time.RFC3339Nano, obj["startedDateTime"].(string)); err != nil {
			t.Errorf("%s.startedDateTime: %v", w, err)
		}
	}
}

func TestRecorderWritesValidRedactedHAR(t *testing.T) {
	rec := recordFlow(t)
	var buf bytes.Buffer
	counts, err := rec.Write(&buf, har.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	validateHAR12(t, buf.Bytes())
	for _, s := range []string{recPassword, recCookie, recCode, "recordedBearer4xyz"} {
		if bytes.Contains(buf.Bytes(), []byte(s)) {
			t.Errorf("redacted recording holds %q", s)
		}
	}
	if counts[har.KindPassword] == 0 || counts[har.KindAuthorization] != 1 || counts[har.KindOAuthCode] == 0 {
		t.Errorf("counts = %v", counts)
	}
	h, err := har.Read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("re-read: %v", err)
	}
	if len(h.Log.Entries) != 4 || len(h.Log.Pages) != 2 {
		t.Fatalf("%d entries, %d pages", len(h.Log.Entries), len(h.Log.Pages))
	}
	e := h.Log.Entries
	if e[0].Pageref != "page_1" || e[2].Pageref != "page_2" {
		t.Errorf("pagerefs %q, %q", e[0].Pageref, e[2].Pageref)
	}
	if e[1].Response.Status != 302 || !strings.Contains(e[1].Response.RedirectURL, "/cb?code=") {
		t.Errorf("redirect = %d %q", e[1].Response.Status, e[1].Response.RedirectURL)
	}
	if len(e[1].Request.QueryString) != 3 || e[1].Request.QueryString[0].Name != "identity_provider" {
		t.Errorf("queryString = %+v", e[1].Request.QueryString)
	}
	pd := e[2].Request.PostData
	if pd == nil || len(pd.Params) != 2 || pd.Params[0].Name != "loginfmt" || pd.Params[1].Value != har.Masked {
		t.Errorf("postData = %+v", pd)
	}
	if e[3].Response.Content.Encoding != "base64" || e[3].Response.Content.Size != 8 {
		t.Errorf("binary content = %+v", e[3].Response.Content)
	}
	if body, _ := e[3].Response.Content.Body(); len(body) != 8 || body[0] != 0x89 {
		t.Errorf("binary body = %v", body)
	}
	if !bytes.Contains(e[0].Extra, []byte(`"_resourceType":"document"`)) || !bytes.Contains(e[3].Extra, []byte(`"image"`)) {
		t.Errorf("_resourceType: %s, %s", e[0].Extra, e[3].Extra)
	}
	if e[0].ServerIPAddress != "127.0.0.1" {
		t.Errorf("serverIPAddress = %q", e[0].ServerIPAddress)
	}
	if len(e[0].Response.Cookies) != 1 || e[0].Response.Cookies[0].Value != har.Masked || e[0].Response.Cookies[0].HTTPOnly == nil || !*e[0].Response.Cookies[0].HTTPOnly {
		t.Errorf("response cookies = %+v", e[0].Response.Cookies)
	}
	if e[0].Timings.Wait < 0 || e[0].Timings.SSL == nil || e[0].Time <= 0 {
		t.Errorf("timings = %+v, time %v", e[0].Timings, e[0].Time)
	}
}

func TestRecorderRawKeepsSecrets(t *testing.T) {
	rec := recordFlow(t)
	var buf bytes.Buffer
	counts, err := rec.Write(&buf, har.WriteOptions{Raw: true})
	if err != nil || counts.Total() != 0 {
		t.Fatalf("counts %v, err %v", counts, err)
	}
	for _, s := range []string{recPassword, recCookie, recCode} {
		if !bytes.Contains(buf.Bytes(), []byte(s)) {
			t.Errorf("raw recording lacks %q", s)
		}
	}
	// Writing redacted afterwards must not have touched the recording.
	rec.Write(io.Discard, har.WriteOptions{})
	buf.Reset()
	rec.Write(&buf, har.WriteOptions{Raw: true})
	if !bytes.Contains(buf.Bytes(), []byte(recPassword)) {
		t.Error("a redacted write changed the recorder's state")
	}
}

func TestRecorderConcurrent(t *testing.T) {
	srv := httptest.NewServer(spLike())
	defer srv.Close()
	rec := har.NewRecorder(nil, har.RecorderOptions{})
	client := &http.Client{Transport: rec}
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if i%5 == 0 {
				rec.StartPage(fmt.Sprint("page ", i))
			}
			resp, err := client.Get(srv.URL + "/cb")
			if err == nil {
				resp.Body.Close()
			}
		}(i)
	}
	wg.Wait()
	if n := len(rec.HAR().Log.Entries); n != 20 {
		t.Errorf("%d entries, want 20", n)
	}
}

func TestRecorderRecordsFailures(t *testing.T) {
	rec := har.NewRecorder(nil, har.RecorderOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://127.0.0.1:1/x", nil)
	if _, err := rec.RoundTrip(req); err == nil {
		t.Fatal("no error")
	}
	h := rec.HAR()
	if len(h.Log.Entries) != 1 || h.Log.Entries[0].Response.Status != 0 || !bytes.Contains(h.Log.Entries[0].Response.Extra, []byte("_error")) {
		t.Errorf("failed exchange recorded as %+v", h.Log.Entries)
	}
	var buf bytes.Buffer
	if err := har.Write(&buf, h); err != nil {
		t.Fatal(err)
	}
	validateHAR12(t, buf.Bytes())
}
