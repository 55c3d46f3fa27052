// Command porcupine-driver checks history files with Porcupine (github.com/anishathalye/porcupine) through its
// public API, for faultline's benchmark (bench/porcupine.bench.ts), which builds it against a local checkout
// and times it side by side with faultline on the same files. Models and log readers are written here from
// the formats' definitions: Jepsen etcd logs (a cas register) and 6.824 kv logs (get/put/append per key).
//
//	porcupine-driver -model etcd|kv|kv-one -reps N -timeout 60s FILE...
//
// Prints one JSON object per file and repetition: file, rep, parseMs, checkMs, result (Ok, Illegal, Unknown).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"os"
	"regexp"
	"sort"
	"strconv"
	"time"

	"github.com/anishathalye/porcupine"
)

// A register op: read, write(a) or cas(a, b).
type regInput struct {
	kind byte // 'r', 'w', 'c'
	a, b int
}

type regOutput struct {
	known  bool // false when the op timed out: any outcome is allowed
	exists bool // a read saw a value (nil is no value)
	value  int
	ok     bool // a cas succeeded
}

const noValue = -1 << 40

var registerModel = porcupine.Model{
	Init: func() interface{} { return noValue },
	Step: func(state, input, output interface{}) (bool, interface{}) {
		st := state.(int)
		in := input.(regInput)
		out := output.(regOutput)
		switch in.kind {
		case 'r':
			if !out.known {
				return true, st
			}
			if out.exists {
				return st == out.value, st
			}
			return st == noValue, st
		case 'w':
			return true, in.a
		default:
			next := st
			if st == in.a {
				next = in.b
			}
			return !out.known || out.ok == (st == in.a), next
		}
	},
}

type kvInput struct {
	kind       byte // 'g', 'p', 'a'
	key, value string
}

type kvOutput struct{ value string }

func kvStep(current string, in kvInput, out kvOutput) (bool, string) {
	switch in.kind {
	case 'g':
		return out.value == current, current
	case 'p':
		return true, in.value
	default:
		return true, current + in.value
	}
}

// One key's value; histories are split by key (Porcupine's PartitionEvent).
var kvModel = porcupine.Model{
	PartitionEvent: func(history []porcupine.Event) [][]porcupine.Event {
		byKey := map[string][]porcupine.Event{}
		keyOf := map[int]string{}
		for _, e := range history {
			if e.Kind == porcupine.CallEvent {
				keyOf[e.Id] = e.Value.(kvInput).key
			}
			k := keyOf[e.Id]
			byKey[k] = append(byKey[k], e)
		}
		keys := make([]string, 0, len(byKey))
		for k := range byKey {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([][]porcupine.Event, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, byKey[k])
		}
		return parts
	},
	Init: func() interface{} { return "" },
	Step: func(state, input, output interface{}) (bool, interface{}) {
		ok, next := kvStep(state.(string), input.(kvInput), output.(kvOutput))
		return ok, next
	},
	Hash: func(state interface{}) uint64 {
		h := fnv.New64a()
		h.Write([]byte(state.(string)))
		return h.Sum64()
	},
}

// The whole store as one state, no partitioning: what faultline's kv model with partitioned: false checks.
var kvOneModel = porcupine.Model{
	Init: func() interface{} { return map[string]string{} },
	Step: func(state, input, output interface{}) (bool, interface{}) {
		st := state.(map[string]string)
		in := input.(kvInput)
		ok, next := kvStep(st[in.key], in, output.(kvOutput))
		if !ok || next == st[in.key] {
			return ok, st
		}
		copied := make(map[string]string, len(st)+1)
		for k, v := range st {
			copied[k] = v
		}
		copied[in.key] = next
		return true, copied
	},
	Equal: func(a, b interface{}) bool {
		x, y := a.(map[string]string), b.(map[string]string)
		if len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if w, ok := y[k]; !ok || w != v {
				return false
			}
		}
		return true
	},
	Hash: func(state interface{}) uint64 {
		var h uint64
		for k, v := range state.(map[string]string) {
			kh := fnv.New64a()
			kh.Write([]byte(k))
			kh.Write([]byte{0})
			kh.Write([]byte(v))
			h ^= kh.Sum64()
		}
		return h
	},
}

var (
	etcdLine = regexp.MustCompile(`^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:(invoke|ok|fail|info)\s+:(\w+)\s+(.*?)\s*$`)
	casArgs  = regexp.MustCompile(`^\[(-?\d+)\s+(-?\d+)\]$`)
	kvLine   = regexp.MustCompile(`^\{:process (\d+), :type :(invoke|ok|fail|info), :f :(get|put|append), :key "([^"]*)", :value (nil|"[^"]*")\}$`)
)

// events pairs each completion with its process's pending call; calls never completed return unknown.
type events struct {
	list    []porcupine.Event
	pending map[int]int
	open    []pendingCall
	next    int
}

type pendingCall struct{ proc, id int }

func (e *events) call(proc int, v interface{}) {
	if id, ok := e.pending[proc]; ok {
		// The process's earlier op never completed in the log (an :info): it stays open to the end.
		e.open = append(e.open, pendingCall{proc, id})
	}
	e.list = append(e.list, porcupine.Event{ClientId: proc, Kind: porcupine.CallEvent, Value: v, Id: e.next})
	e.pending[proc] = e.next
	e.next++
}

func (e *events) ret(proc int, v interface{}) error {
	id, ok := e.pending[proc]
	if !ok {
		return fmt.Errorf("process %d completes with no call pending", proc)
	}
	delete(e.pending, proc)
	e.list = append(e.list, porcupine.Event{ClientId: proc, Kind: porcupine.ReturnEvent, Value: v, Id: id})
	return nil
}

func (e *events) close(unknown interface{}) []porcupine.Event {
	procs := make([]int, 0, len(e.pending))
	for p := range e.pending {
		procs = append(procs, p)
	}
	sort.Ints(procs)
	for _, p := range procs {
		e.open = append(e.open, pendingCall{p, e.pending[p]})
	}
	for _, c := range e.open {
		e.list = append(e.list, porcupine.Event{ClientId: c.proc, Kind: porcupine.ReturnEvent, Value: unknown, Id: c.id})
	}
	return e.list
}

func eachLine(path string, f func(line string, n int) error) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	scanner := bufio.NewScanner(file)
	scanner.Buffer(make([]byte, 1<<20), 1<<26)
	n := 0
	for scanner.Scan() {
		n++
		if err := f(scanner.Text(), n); err != nil {
			return fmt.Errorf("%s:%d: %w", path, n, err)
		}
	}
	return scanner.Err()
}

// readEtcd reads a Jepsen etcd log: an :info completion leaves the op pending to the end (it may take
// effect at any time), a timed-out read returns anything, and a failed cas returned false.
func readEtcd(path string) ([]porcupine.Event, error) {
	ev := &events{pending: map[int]int{}}
	calls := map[int]regInput{}
	err := eachLine(path, func(line string, _ int) error {
		m := etcdLine.FindStringSubmatch(line)
		if m == nil {
			if line == "" {
				return nil
			}
			return fmt.Errorf("not an etcd log line")
		}
		proc, _ := strconv.Atoi(m[1])
		kind, f, value := m[2], m[3], m[4]
		if kind == "invoke" {
			in := regInput{kind: f[0]}
			switch f {
			case "read":
			case "write":
				in.a, _ = strconv.Atoi(value)
			case "cas":
				c := casArgs.FindStringSubmatch(value)
				if c == nil {
					return fmt.Errorf("bad cas arguments %q", value)
				}
				in.a, _ = strconv.Atoi(c[1])
				in.b, _ = strconv.Atoi(c[2])
			default:
				return fmt.Errorf("unknown op %q", f)
			}
			calls[proc] = in
			ev.call(proc, in)
			return nil
		}
		in := calls[proc]
		switch {
		case kind == "info":
			// The outcome is unknown and the op may take effect at any later time: it never returns
			// (close gives it an unknown return after every other event). Jepsen gives the process a new id.
			return nil
		case value == ":timed-out":
			return ev.ret(proc, regOutput{})
		case kind == "fail" && in.kind == 'c':
			return ev.ret(proc, regOutput{known: true, ok: false})
		case kind == "fail":
			// A read that failed observed nothing: any outcome is allowed.
			return ev.ret(proc, regOutput{})
		case in.kind == 'r' && value == "nil":
			return ev.ret(proc, regOutput{known: true})
		case in.kind == 'r':
			v, err := strconv.Atoi(value)
			if err != nil {
				return fmt.Errorf("bad read value %q", value)
			}
			return ev.ret(proc, regOutput{known: true, exists: true, value: v})
		default:
			return ev.ret(proc, regOutput{known: true, ok: true})
		}
	})
	return ev.close(regOutput{}), err
}

// readKv reads a 6.824 kv log: one {:process p, :type t, :f f, :key "k", :value v} map per line.
func readKv(path string) ([]porcupine.Event, error) {
	ev := &events{pending: map[int]int{}}
	err := eachLine(path, func(line string, _ int) error {
		if line == "" {
			return nil
		}
		m := kvLine.FindStringSubmatch(line)
		if m == nil {
			return fmt.Errorf("not a kv log line")
		}
		proc, _ := strconv.Atoi(m[1])
		value := ""
		if m[5] != "nil" {
			value = m[5][1 : len(m[5])-1]
		}
		if m[2] == "invoke" {
			ev.call(proc, kvInput{kind: m[3][0], key: m[4], value: value})
			return nil
		}
		return ev.ret(proc, kvOutput{value: value})
	})
	return ev.close(kvOutput{}), err
}

type record struct {
	File    string  `json:"file"`
	Rep     int     `json:"rep"`
	ParseMs float64 `json:"parseMs"`
	CheckMs float64 `json:"checkMs"`
	Result  string  `json:"result"`
}

func main() {
	modelName := flag.String("model", "etcd", "etcd, kv (partitioned by key) or kv-one (one store)")
	reps := flag.Int("reps", 1, "passes over the files")
	timeout := flag.Duration("timeout", 60*time.Second, "per-file check timeout (0: none)")
	flag.Parse()
	var model porcupine.Model
	read := readKv
	switch *modelName {
	case "etcd":
		model, read = registerModel, readEtcd
	case "kv":
		model = kvModel
	case "kv-one":
		model = kvOneModel
	default:
		fmt.Fprintf(os.Stderr, "porcupine-driver: unknown model %q (etcd, kv, kv-one)\n", *modelName)
		os.Exit(64)
	}
	out := json.NewEncoder(os.Stdout)
	for rep := 0; rep < *reps; rep++ {
		for _, file := range flag.Args() {
			t0 := time.Now()
			history, err := read(file)
			if err != nil {
				fmt.Fprintf(os.Stderr, "porcupine-driver: %v\n", err)
				os.Exit(65)
			}
			t1 := time.Now()
			result := porcupine.CheckEventsTimeout(model, history, *timeout)
			t2 := time.Now()
			word := map[porcupine.CheckResult]string{porcupine.Ok: "Ok", porcupine.Illegal: "Illegal", porcupine.Unknown: "Unknown"}[result]
			_ = out.Encode(record{file, rep, ms(t1.Sub(t0)), ms(t2.Sub(t1)), word})
		}
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
