package scimserver

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

func TestConcurrentCreatesOfOneUserNameGiveOne201(t *testing.T) {
	h := newHarness(t, func(o *harnessOptions) { o.dir = t.TempDir() })
	const n = 50
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			name := "same@contoso.com"
			if i%2 == 1 {
				name = strings.ToUpper(name)
			}
			r := h.do(req{method: "POST", path: "/scim/v2/Users", body: fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":%q,"displayName":"Try %d"}`, name, i)})
			statuses[i] = r.status
			if r.status == http.StatusConflict {
				scimError(t, r, http.StatusConflict, "uniqueness")
			}
		})
	}
	wg.Wait()
	count := map[int]int{}
	for _, s := range statuses {
		count[s]++
	}
	if count[http.StatusCreated] != 1 || count[http.StatusConflict] != n-1 {
		t.Fatalf("statuses %v, want one 201 and %d 409s", count, n-1)
	}
	if c, _ := h.store.CountUsers(h.ctx, h.org.ID); c != 2 {
		t.Fatalf("%d users, want the admin and one", c)
	}
}

func TestConcurrentPatchesLoseNoUpdate(t *testing.T) {
	h := newHarness(t, func(o *harnessOptions) { o.dir = t.TempDir() })
	id := h.created(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"busy@contoso.com"}`)
	const n = 30
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			// Each adds its own phone number, and half also use the
			// path-less dialect on a second attribute, so every write
			// reads what the previous ones left.
			body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"phoneNumbers","value":[{"type":"other","value":"+1 555 01%02d"}]}]}`, i)
			if i%2 == 0 {
				body = fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"phoneNumbers","value":[{"type":"other","value":"+1 555 01%02d"}]},{"op":"replace","value":{"nickName":"n%d"}}]}`, i, i)
			}
			r := h.send("PATCH", "/scim/v2/Users/"+id, body)
			if r.status != http.StatusOK {
				t.Errorf("PATCH %d: %d %s", i, r.status, r.body)
			}
		})
	}
	wg.Wait()
	r := h.get("/scim/v2/Users/" + id)
	mustStatus(t, r, http.StatusOK)
	phones, _ := r.json(t)["phoneNumbers"].([]any)
	seen := map[string]bool{}
	for _, p := range phones {
		seen[p.(map[string]any)["value"].(string)] = true
	}
	for i := range n {
		if !seen[fmt.Sprintf("+1 555 01%02d", i)] {
			t.Errorf("update %d was lost", i)
		}
	}
	if u, _ := h.store.GetUser(h.ctx, h.org.ID, id); u.Version != 1+n {
		t.Fatalf("version %d, want %d", u.Version, 1+n)
	}
}
