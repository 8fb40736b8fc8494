package csvexport_test

import (
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/web/csvexport"
)

func TestSafeCell(t *testing.T) {
	for in, want := range map[string]string{"=1+2": "'=1+2", "+49 30": "'+49 30", "-5": "'-5", "@SUM(A1)": "'@SUM(A1)",
		"\tx": "'\tx", "\rx": "'\rx", "plain": "plain", "": "", "a=b": "a=b"} {
		if got := csvexport.SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestLongExportOutlivesWriteTimeout: an export that takes longer than the
// server's write timeout, but keeps sending, arrives whole.
func TestLongExportOutlivesWriteTimeout(t *testing.T) {
	e := echo.New()
	const batches, rows = 8, 500
	e.GET("/export", func(c echo.Context) error {
		return csvexport.Stream(c, "x.csv", []string{"n"}, func(write func([]string) error) error {
			for i := range batches * rows {
				if i%rows == 0 {
					time.Sleep(100 * time.Millisecond) // a slow cursor: 800 ms in all
				}
				if err := write([]string{strconv.Itoa(i)}); err != nil {
					return err
				}
			}
			return nil
		})
	})
	ts := httptest.NewUnstartedServer(e)
	ts.Config.WriteTimeout = 400 * time.Millisecond
	ts.Start()
	defer ts.Close()
	res, err := http.Get(ts.URL + "/export")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	got, err := csv.NewReader(res.Body).ReadAll()
	if err != nil {
		t.Fatalf("the download was cut after %d rows: %v", len(got), err)
	}
	if len(got) != batches*rows+1 || got[len(got)-1][0] != strconv.Itoa(batches*rows-1) {
		t.Fatalf("got %d rows, want %d and the header", len(got)-1, batches*rows)
	}
}
