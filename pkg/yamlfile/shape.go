package yamlfile

import (
	"fmt"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/connectsync/connectsync/schema"
)

// shape is what the schema says about one place in a file, as much as fmt
// needs: the order of a mapping's keys, the shape under each key and under
// a list's items, and how the list is written.
type shape struct {
	keys  []string          // properties in the schema's order
	props map[string]*shape // by key
	items *shape            // a list's items
	// objects: a list of mappings (accounts, configurations, sfObjects),
	// written as a block, one mapping per item. Other lists hold scalars
	// and are written on one line ([a, b]).
	objects bool
}

// fileShape is the shape of a whole file, read once from the embedded
// schema. JSON is YAML, so yaml.v3 reads the schema and keeps its property
// order, which a JSON decoder into a map would lose.
var fileShape = sync.OnceValue(func() *shape {
	var doc yaml.Node
	if err := yaml.Unmarshal(schema.File, &doc); err != nil {
		panic(fmt.Sprintf("the embedded schema does not parse: %v", err))
	}
	root := doc.Content[0]
	return shapeOf(root, root, map[*yaml.Node]*shape{})
})

// shapeOf reads the shape of a schema node, resolving local $refs
// (#/$defs/…); seen holds the shapes built so far, so that a recursive
// schema ends.
func shapeOf(root, n *yaml.Node, seen map[*yaml.Node]*shape) *shape {
	if ref := schemaChild(n, "$ref"); ref != nil {
		if target := schemaPointer(root, ref.Value); target != nil {
			n = target
		}
	}
	if s, ok := seen[n]; ok {
		return s
	}
	s := &shape{props: map[string]*shape{}}
	seen[n] = s
	if props := schemaChild(n, "properties"); props != nil {
		for i := 0; i+1 < len(props.Content); i += 2 {
			k := props.Content[i].Value
			s.keys = append(s.keys, k)
			s.props[k] = shapeOf(root, props.Content[i+1], seen)
		}
	}
	if items := schemaChild(n, "items"); items != nil {
		s.items = shapeOf(root, items, seen)
		s.objects = len(s.items.keys) > 0
	}
	return s
}

func schemaChild(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// schemaPointer resolves a local reference such as #/$defs/configuration.
func schemaPointer(root *yaml.Node, ref string) *yaml.Node {
	path, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil
	}
	n := root
	for _, tok := range strings.Split(path, "/") {
		if n = schemaChild(n, tok); n == nil {
			return nil
		}
	}
	return n
}

// prop returns the shape under key, or nil when the schema does not know it.
func (s *shape) prop(key string) *shape {
	if s == nil {
		return nil
	}
	return s.props[key]
}

// rank is key's place in the schema's order; unknown keys come after.
func (s *shape) rank(key string) int {
	if s != nil {
		for i, k := range s.keys {
			if k == key {
				return i
			}
		}
	}
	return len(s.keysOrNil())
}

func (s *shape) keysOrNil() []string {
	if s == nil {
		return nil
	}
	return s.keys
}
