package directory

import "sync"

// readCache keeps what every sign-in reads and admins rarely change: the
// tenant, the apps (with their identifiers) and their certificates, the
// account picker's user list and assignment answers. A SQLite query costs
// a good fraction of a millisecond, and a sign-in is budgeted in RSA
// signatures, so these are served from memory.
//
// Every write to the cached tables clears the cache and bumps gen; a read
// stores its result only if gen did not move while it queried, so a read
// racing a write can never put stale data back. The directory is the only
// writer of its database within the process.
type readCache struct {
	mu           sync.Mutex
	gen          uint64
	tenant       *Tenant
	apps         map[string]App
	byIdentifier map[string]string
	certs        map[string][]certRow
	users        []User
	usersCached  bool
	assigned     map[[2]string]bool
}

// certRow is a certificate with its encoded key, as stored.
type certRow struct {
	cert   Certificate
	keyDER []byte
}

// invalidate drops everything; call it after any committed write to the
// tenant, domains, apps, identifiers or certificates.
func (c *readCache) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.tenant = nil
	c.apps = nil
	c.byIdentifier = nil
	c.certs = nil
	c.users, c.usersCached = nil, false
	c.assigned = nil
}

func (c *readCache) getUsers() ([]User, bool) { return c.getFirstUsers(-1) }

// getFirstUsers copies at most n of the cached users (all when n < 0):
// a page that shows a few of ten thousand users need not copy them all.
func (c *readCache) getFirstUsers(n int) ([]User, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.usersCached {
		return nil, false
	}
	if n < 0 || n > len(c.users) {
		n = len(c.users)
	}
	out := make([]User, n)
	for i, u := range c.users[:n] {
		u.DirectoryRoles = append([]string(nil), u.DirectoryRoles...)
		out[i] = u
	}
	return out, true
}

// getUsersOr returns a copy of the cached list, or of users if the cache
// did not take them.
func (c *readCache) getUsersOr(users []User) []User {
	if cached, ok := c.getUsers(); ok {
		return cached
	}
	return users
}

func (c *readCache) putUsers(gen uint64, users []User) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen == c.gen {
		c.users, c.usersCached = users, true
	}
}

func (c *readCache) getAssigned(appID, userID string) (assigned, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	assigned, ok = c.assigned[[2]string{appID, userID}]
	return assigned, ok
}

func (c *readCache) putAssigned(gen uint64, appID, userID string, assigned bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.assigned == nil {
		c.assigned = map[[2]string]bool{}
	}
	c.assigned[[2]string{appID, userID}] = assigned
}

// generation returns the current generation, to pass to a later store.
func (c *readCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

func (c *readCache) getTenant() (Tenant, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tenant == nil {
		return Tenant{}, false
	}
	return cloneTenant(*c.tenant), true
}

func (c *readCache) putTenant(gen uint64, t Tenant) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen == c.gen {
		t = cloneTenant(t)
		c.tenant = &t
	}
}

func (c *readCache) getApp(appID string) (App, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	a, ok := c.apps[appID]
	if !ok {
		return App{}, false
	}
	return cloneApp(a), true
}

func (c *readCache) putApp(gen uint64, a App) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.apps == nil {
		c.apps = map[string]App{}
	}
	c.apps[a.AppID] = cloneApp(a)
}

func (c *readCache) getIdentifier(value string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id, ok := c.byIdentifier[value]
	return id, ok
}

func (c *readCache) putIdentifier(gen uint64, value, appID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.byIdentifier == nil {
		c.byIdentifier = map[string]string{}
	}
	c.byIdentifier[value] = appID
}

func (c *readCache) getCerts(appID string) ([]certRow, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	rows, ok := c.certs[appID]
	return rows, ok
}

func (c *readCache) putCerts(gen uint64, appID string, rows []certRow) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.certs == nil {
		c.certs = map[string][]certRow{}
	}
	c.certs[appID] = rows
}

func cloneTenant(t Tenant) Tenant {
	t.Domains = append([]string(nil), t.Domains...)
	return t
}

// cloneApp deep-copies an App so callers cannot change the cached one.
func cloneApp(a App) App {
	a.SAML.Identifiers = append([]Identifier(nil), a.SAML.Identifiers...)
	a.SAML.ReplyURLs = append([]ReplyURL(nil), a.SAML.ReplyURLs...)
	for i, r := range a.SAML.ReplyURLs {
		if r.Index != nil {
			n := *r.Index
			a.SAML.ReplyURLs[i].Index = &n
		}
	}
	a.Claims = append([]Claim(nil), a.Claims...)
	return a
}
