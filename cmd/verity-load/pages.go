package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
)

// The web admin's pages, driven like the API: a signed-in session (one per
// run, shared by the clients) reading the customers list, a filtered queue,
// the Mine and Overdue queues, a search and a customer page — the HTML a compliance officer waits for.

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)"`)
var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// signIn returns a client whose cookie jar holds a signed-in session.
func signIn(c config) (*http.Client, error) {
	return signInThrough(c, &http.Transport{MaxIdleConnsPerHost: c.clients * 2})
}

// signInThrough signs in as the page user with requests sent through rt
// and returns a client holding that session.
func signInThrough(c config, rt http.RoundTripper) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	cl := &http.Client{Jar: jar, Transport: rt,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := cl.Get(c.base + "/sign-in")
	if err != nil {
		return nil, err
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfInput.FindSubmatch(b)
	if m == nil {
		m = csrfMeta.FindSubmatch(b)
	}
	if m == nil {
		return nil, fmt.Errorf("sign-in page without a CSRF token (status %d)", res.StatusCode)
	}
	form := url.Values{"_csrf": {string(m[1])}, "email": {c.pageUser}, "password": {c.pagePassword}}
	res, err = cl.PostForm(c.base+"/sign-in", form)
	if err != nil {
		return nil, err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("sign in as %s: status %d", c.pageUser, res.StatusCode)
	}
	return cl, nil
}

func pageScenarios(pool []customerDoc) []scenario {
	queries := []string{"acme", "holdings", "smith", "garcia", "müller", "trading", "rossi", "tech"}
	return []scenario{
		{"page list", func(cl, i int) (string, string, string, []byte) {
			return "GET", "/customers", "", nil
		}},
		{"page queue", func(cl, i int) (string, string, string, []byte) {
			return "GET", fmt.Sprintf("/customers?status=PENDING&risk=HIGH&page=%d", 1+(cl*7+i)%20), "", nil
		}},
		{"page search", func(cl, i int) (string, string, string, []byte) {
			return "GET", "/customers?q=" + url.QueryEscape(queries[(cl+i)%len(queries)]), "", nil
		}},
		{"page mine", func(cl, i int) (string, string, string, []byte) {
			return "GET", "/customers?assignee=me", "", nil
		}},
		{"page overdue", func(cl, i int) (string, string, string, []byte) {
			return "GET", fmt.Sprintf("/customers?status=PENDING&overdue=1&page=%d", 1+(cl*7+i)%20), "", nil
		}},
		{"page customer", func(cl, i int) (string, string, string, []byte) {
			return "GET", "/customers/" + pool[(cl*131+i)%len(pool)].Reference, "", nil
		}},
	}
}

func runPages(c config, pool []customerDoc) error {
	cl, err := signIn(c)
	if err != nil {
		return err
	}
	// The session's cookies, sent as they are by every client.
	u, _ := url.Parse(c.base)
	var parts []string
	for _, k := range cl.Jar.Cookies(u) {
		parts = append(parts, k.Name+"="+k.Value)
	}
	cookie := strings.Join(parts, "; ")
	for _, sc := range pageScenarios(pool) {
		if c.only != "" && !strings.Contains(sc.name, c.only) {
			continue
		}
		printResult(sc.name, drive(c, sc, cookie))
	}
	return nil
}
