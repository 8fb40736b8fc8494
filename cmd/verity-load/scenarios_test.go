package main

import (
	"encoding/json"
	"fmt"
	"testing"
)

// TestPutAssociatesBodiesAsEncoded: PUT associates' bodies, encoded once per
// customer with a stand-in title, are byte for byte the customer's
// associates encoded with that request's title — a new title on each pass.
func TestPutAssociatesBodiesAsEncoded(t *testing.T) {
	var pool []customerDoc
	for n := 0; n < 8; n++ {
		var d customerDoc
		d.Reference = fmt.Sprintf("ref-%d", n)
		for k := 0; k <= n%3; k++ {
			d.Company.Associates = append(d.Company.Associates, map[string]any{
				"person": map[string]any{"firstName": fmt.Sprintf("Ada \"%d\" <x>", k), "lastName": "Lovelace"},
				"title":  "CEO", "controls": map[string]any{"hasControl": k == 0},
			})
		}
		pool = append(pool, d)
	}
	c := config{clients: 2, readKey: "k"}
	var put scenario
	for _, sc := range scenarios(c, pool) {
		if sc.name == "PUT associates" {
			put = sc
		}
	}
	per := len(pool) / c.clients
	for cl := 0; cl < c.clients; cl++ {
		for i := 0; i < 3*per; i++ {
			method, path, key, body := put.next(cl, i)
			d := pool[cl*per+i%per]
			list := make([]map[string]any, len(d.Company.Associates))
			for k, a := range d.Company.Associates {
				cp := map[string]any{}
				for key, v := range a {
					cp[key] = v
				}
				cp["title"] = fmt.Sprintf("Director %d", (i%per+i/per)%5)
				list[k] = cp
			}
			want, _ := json.Marshal(map[string]any{"associates": list})
			if method != "PUT" || path != "/platform/v1/customers/"+d.Reference+"/associates" || key != "k" || string(body) != string(want) {
				t.Fatalf("client %d request %d: %s %s %s\n%s\nwant\n%s", cl, i, method, path, key, body, want)
			}
		}
	}
}
