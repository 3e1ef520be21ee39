package archive

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/linkvault/linkvault"
)

// TestCodesAreStable pins the on-disk codes of statuses and states: a
// database written by an earlier version must read back the same, whatever
// the report order of linkvault.Statuses and linkvault.States.
func TestCodesAreStable(t *testing.T) {
	for s, want := range map[linkvault.Status]byte{
		linkvault.StatusOK: 1, linkvault.StatusBroken: 2, linkvault.StatusUnreachable: 3,
		linkvault.StatusBlocked: 4, linkvault.StatusThrottled: 5, linkvault.StatusSkipped: 6,
		linkvault.StatusSoft404: 7,
	} {
		if got := statusCode(s); got != want || statusOf(want) != s {
			t.Errorf("status %s: code %d, want %d", s, got, want)
		}
	}
	for s, want := range map[linkvault.State]byte{
		linkvault.StateDead: 1, linkvault.StateFailing: 2, linkvault.StateBlocked: 3,
		linkvault.StateMoved: 4, linkvault.StateAlive: 5, linkvault.StateNew: 6,
		linkvault.StateGone: 7, linkvault.StateChanged: 8, linkvault.StateFragmentMissing: 9,
	} {
		if got := stateCode(s); got != want || stateOf(want) != s {
			t.Errorf("state %s: code %d, want %d", s, got, want)
		}
	}
	if len(statusTable) != len(linkvault.Statuses) || len(stateTable) != len(linkvault.States) {
		t.Errorf("the code tables miss a status or state")
	}
}

func TestCheckCodec(t *testing.T) {
	at := time.Date(2025, 3, 1, 8, 0, 0, 123456789, time.UTC)
	long := strings.Repeat("连接被拒绝", 10) // 150 bytes
	tests := []struct {
		name string
		in   linkvault.Check
		want linkvault.Check // in, as read back
	}{
		{"ok drops the reason",
			linkvault.Check{RunID: 7, Time: at, Status: linkvault.StatusOK, HTTPStatus: 200, DurationMS: 85, Reason: "200 OK", State: linkvault.StateAlive},
			linkvault.Check{RunID: 7, Time: at, Status: linkvault.StatusOK, HTTPStatus: 200, DurationMS: 85, State: linkvault.StateAlive}},
		{"broken keeps the reason",
			linkvault.Check{RunID: 1 << 40, Time: at, Status: linkvault.StatusBroken, HTTPStatus: 404, DurationMS: 3, Reason: "404 Not Found", State: linkvault.StateDead, Changed: true},
			linkvault.Check{RunID: 1 << 40, Time: at, Status: linkvault.StatusBroken, HTTPStatus: 404, DurationMS: 3, Reason: "404 Not Found", State: linkvault.StateDead, Changed: true}},
		{"long reason cut at a rune boundary",
			linkvault.Check{RunID: 2, Time: at, Status: linkvault.StatusUnreachable, Reason: long, State: linkvault.StateFailing},
			linkvault.Check{RunID: 2, Time: at, Status: linkvault.StatusUnreachable, Reason: long[:maxReason-len("…")] + "…", State: linkvault.StateFailing}},
		{"a platform's words are kept whole",
			linkvault.Check{RunID: 2, Time: at, Status: linkvault.StatusSoft404, Reason: "soft 404: says “该内容已被发布者删除”", State: linkvault.StateGone},
			linkvault.Check{RunID: 2, Time: at, Status: linkvault.StatusSoft404, Reason: "soft 404: says “该内容已被发布者删除”", State: linkvault.StateGone}},
		{"a quotation is never cut",
			linkvault.Check{RunID: 2, Time: at, Status: linkvault.StatusSoft404, Reason: "soft 404: says “" + strings.Repeat("该内容已被发布者删除", 4) + "”", State: linkvault.StateGone},
			linkvault.Check{RunID: 2, Time: at, Status: linkvault.StatusSoft404, Reason: "soft 404: says…", State: linkvault.StateGone}},
		{"negative numbers clamp to zero",
			linkvault.Check{RunID: 3, Time: at, Status: linkvault.StatusSkipped, HTTPStatus: -1, DurationMS: -5, State: linkvault.StateNew},
			linkvault.Check{RunID: 3, Time: at, Status: linkvault.StatusSkipped, State: linkvault.StateNew}},
	}
	hash := urlHash("https://example.com/")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := historyKey(hash, tt.in.Time)
			v := encodeCheck(nil, &tt.in)
			got, err := decodeCheck(k, v)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Time.Equal(tt.want.Time) {
				t.Errorf("time %v, want %v", got.Time, tt.want.Time)
			}
			got.Time = tt.want.Time
			if got != tt.want {
				t.Errorf("decode(encode(%+v)) = %+v, want %+v", tt.in, got, tt.want)
			}
			if !utf8.ValidString(got.Reason) {
				t.Errorf("reason %q is not valid UTF-8", got.Reason)
			}
			if len(k)+len(v) > 16+3+3*10+1+maxReason {
				t.Errorf("encoded size %d", len(k)+len(v))
			}
			for n := range v {
				if _, err := decodeCheck(k, v[:n]); err == nil {
					t.Errorf("decode of %d of %d bytes succeeded", n, len(v))
				}
			}
		})
	}
}
