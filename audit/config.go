package audit

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Config is what a configuration file (hopaudit.yaml) sets, checked
// against a rule catalogue:
//
//	rules:
//	  query-dropped:
//	    enabled: false
//	  redirect-chain:
//	    severity: error
//	    options:
//	      allowed-hops: 2
//
// Severity and Options are what Engine takes; Disabled feeds Select.
type Config struct {
	Disabled map[string]bool           // by rule name: enabled: false
	Severity map[string]Severity       // by rule name
	Options  map[string]map[string]any // by rule name, then option name; values have the default's type
}

// LoadConfig reads and checks the configuration file at path.
func LoadConfig(path string, all []*Rule) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseConfig(path, data, all)
}

// ParseConfig reads and checks a configuration file's content; name is
// the file name used in errors. Unknown keys, unknown rules, unknown
// options and option values whose type differs from the default's are
// errors.
func ParseConfig(name string, data []byte, all []*Rule) (*Config, error) {
	c := &Config{
		Disabled: map[string]bool{},
		Severity: map[string]Severity{},
		Options:  map[string]map[string]any{},
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		var line int
		if _, scanErr := fmt.Sscanf(msg, "line %d:", &line); scanErr == nil {
			_, msg, _ = strings.Cut(msg, ": ")
			return nil, fmt.Errorf("%s:%d: %s", name, line, msg)
		}
		return nil, fmt.Errorf("%s: %s", name, msg)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return c, nil // an empty file
	}
	root := deref(doc.Content[0])
	if err := c.read(root, all); err != nil {
		var ne nodeError
		if errors.As(err, &ne) {
			return nil, fmt.Errorf("%s:%d: %w", name, ne.node.Line, ne.err)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return c, nil
}

// read reads the file's top-level mapping.
func (c *Config) read(root *yaml.Node, all []*Rule) error {
	if isNull(root) {
		return nil
	}
	top, err := mapping(root)
	if err != nil {
		return err
	}
	for _, kv := range top {
		if kv.key != "rules" {
			return nodeError{kv.keyNode, fmt.Errorf("unknown key %q (want rules)", kv.key)}
		}
		if isNull(kv.value) {
			continue
		}
		rules, err := mapping(kv.value)
		if err != nil {
			return within(err, "rules")
		}
		for _, rk := range rules {
			r := Lookup(all, rk.key)
			if r == nil {
				return nodeError{rk.keyNode, fmt.Errorf("unknown rule %q", rk.key)}
			}
			if err := c.setRule(r, rk.value); err != nil {
				return within(err, "rule "+r.Name)
			}
		}
	}
	return nil
}

// setRule reads one rule's settings.
func (c *Config) setRule(r *Rule, n *yaml.Node) error {
	if isNull(n) {
		return nil
	}
	fields, err := mapping(n)
	if err != nil {
		return err
	}
	for _, f := range fields {
		switch f.key {
		case "enabled":
			var on bool
			if err := scalar(f.value, "!!bool", &on); err != nil {
				return nodeError{f.value, fmt.Errorf("enabled: want true or false, got %s", describe(f.value))}
			}
			if on {
				delete(c.Disabled, r.Name)
			} else {
				c.Disabled[r.Name] = true
			}
		case "severity":
			var s string
			if err := scalar(f.value, "!!str", &s); err != nil {
				return nodeError{f.value, fmt.Errorf("severity: want error, warning, notice or none, got %s", describe(f.value))}
			}
			sev, err := ParseSeverity(s)
			if err != nil {
				return nodeError{f.value, fmt.Errorf("severity: %w", err)}
			}
			c.Severity[r.Name] = sev
		case "options":
			if err := c.setOptions(r, f.value); err != nil {
				return err
			}
		default:
			return nodeError{f.keyNode, fmt.Errorf("unknown key %q (want enabled, severity or options)", f.key)}
		}
	}
	return nil
}

// setOptions reads one rule's options, checking each value against the
// type of the option's default.
func (c *Config) setOptions(r *Rule, n *yaml.Node) error {
	if isNull(n) {
		return nil
	}
	opts, err := mapping(n)
	if err != nil {
		return within(err, "options")
	}
	for _, o := range opts {
		var def *Option
		for i := range r.Options {
			if r.Options[i].Name == o.key {
				def = &r.Options[i]
			}
		}
		if def == nil {
			return nodeError{o.keyNode, fmt.Errorf("unknown option %q%s", o.key, optionNames(r))}
		}
		var v any
		switch def.Default.(type) {
		case int:
			var i int
			if err := scalar(o.value, "!!int", &i); err != nil {
				return nodeError{o.value, fmt.Errorf("option %s: want an integer, got %s", o.key, describe(o.value))}
			}
			v = i
		case bool:
			var b bool
			if err := scalar(o.value, "!!bool", &b); err != nil {
				return nodeError{o.value, fmt.Errorf("option %s: want true or false, got %s", o.key, describe(o.value))}
			}
			v = b
		case string:
			var s string
			if err := scalar(o.value, "!!str", &s); err != nil {
				return nodeError{o.value, fmt.Errorf("option %s: want a string, got %s", o.key, describe(o.value))}
			}
			v = s
		default:
			return nodeError{o.keyNode, fmt.Errorf("option %s: default of unsupported type %T", o.key, def.Default)}
		}
		if c.Options[r.Name] == nil {
			c.Options[r.Name] = map[string]any{}
		}
		c.Options[r.Name][o.key] = v
	}
	return nil
}

func optionNames(r *Rule) string {
	if len(r.Options) == 0 {
		return ": the rule has no options"
	}
	names := make([]string, len(r.Options))
	for i, o := range r.Options {
		names[i] = o.Name
	}
	return " (want " + strings.Join(names, ", ") + ")"
}

// Select applies a --rules spec (see Select) after the file's enabled
// settings: an empty spec or one that starts with a removal starts from
// the rules the file leaves enabled.
func (c *Config) Select(all []*Rule, spec string) ([]*Rule, error) {
	on := make([]bool, len(all))
	for i, r := range all {
		on[i] = !c.Disabled[r.Name]
	}
	return selectFrom(all, on, spec)
}

// nodeError is an error at a node of the file.
type nodeError struct {
	node *yaml.Node
	err  error
}

func (e nodeError) Error() string { return e.err.Error() }

// within prefixes an error with where it happened, keeping its node.
func within(err error, prefix string) error {
	var ne nodeError
	if errors.As(err, &ne) {
		return nodeError{ne.node, fmt.Errorf("%s: %w", prefix, ne.err)}
	}
	return fmt.Errorf("%s: %w", prefix, err)
}

type pair struct {
	key     string
	keyNode *yaml.Node
	value   *yaml.Node
}

// mapping returns the pairs of a mapping node in file order; keys must be
// distinct strings.
func mapping(n *yaml.Node) ([]pair, error) {
	if n.Kind != yaml.MappingNode {
		return nil, nodeError{n, fmt.Errorf("want a mapping, got %s", describe(n))}
	}
	out := make([]pair, 0, len(n.Content)/2)
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		if k.Kind != yaml.ScalarNode || k.Tag == "!!merge" {
			return nil, nodeError{k, fmt.Errorf("want a name, got %s", describe(k))}
		}
		if seen[k.Value] {
			return nil, nodeError{k, fmt.Errorf("%q appears twice", k.Value)}
		}
		seen[k.Value] = true
		out = append(out, pair{key: k.Value, keyNode: k, value: v})
	}
	return out, nil
}

// scalar decodes a scalar node with the given resolved tag into v.
func scalar(n *yaml.Node, tag string, v any) error {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != tag {
		return errors.New("wrong type")
	}
	return n.Decode(v)
}

func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names a node's value for an error message.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "nothing"
		case "!!str":
			return fmt.Sprintf("the string %q", n.Value)
		case "!!int":
			return "the integer " + n.Value
		case "!!float":
			return "the number " + n.Value
		case "!!bool":
			return n.Value
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "an unexpected value"
}
