package markers

import (
	"errors"
	"fmt"
	"strings"
)

// variables are PEP 508's marker variables (and the "extra" pip adds).
var variables = map[string]bool{
	"python_version": true, "python_full_version": true, "os_name": true,
	"sys_platform": true, "platform_release": true, "platform_system": true,
	"platform_version": true, "platform_machine": true,
	"platform_python_implementation": true, "implementation_name": true,
	"implementation_version": true, "extra": true,
	// setuptools' old dotted spellings, still accepted by packaging.
	"os.name": true, "sys.platform": true, "platform.version": true,
	"platform.machine": true, "platform.python_implementation": true,
	"python_implementation": true,
}

// operators in the order they must be tried (longest first).
var operators = []string{"===", "==", "!=", "~=", "<=", ">=", "<", ">", "not in", "in"}

// flipped is the operator with its sides swapped.
var flipped = map[string]string{"<": ">", ">": "<", "<=": ">=", ">=": "<="}

type parser struct {
	s      string
	i      int
	python bool
}

func (p *parser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

// keyword consumes word when it stands alone at the cursor.
func (p *parser) keyword(word string) bool {
	p.space()
	if !strings.HasPrefix(p.s[p.i:], word) {
		return false
	}
	end := p.i + len(word)
	if end < len(p.s) && isIdent(p.s[end]) {
		return false
	}
	p.i = end
	return true
}

func (p *parser) or() (node, error) {
	n, err := p.and()
	for err == nil && p.keyword("or") {
		var r node
		if r, err = p.and(); err == nil {
			n = orNode{n, r}
		}
	}
	return n, err
}

func (p *parser) and() (node, error) {
	n, err := p.expr()
	for err == nil && p.keyword("and") {
		var r node
		if r, err = p.expr(); err == nil {
			n = andNode{n, r}
		}
	}
	return n, err
}

func (p *parser) expr() (node, error) {
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '(' {
		p.i++
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ')' {
			return nil, errors.New(`missing ")"`)
		}
		p.i++
		return n, nil
	}
	var c compare
	var err error
	if c.lhs, c.lhsVar, err = p.operand(); err != nil {
		return nil, err
	}
	if c.op, err = p.operator(); err != nil {
		return nil, err
	}
	if c.rhs, c.rhsVar, err = p.operand(); err != nil {
		return nil, err
	}
	if c.lhsVar == c.rhsVar {
		return nil, fmt.Errorf("comparison %s %s %s needs one variable and one string", c.lhs, c.op, c.rhs)
	}
	if c.rhsVar && c.op != "in" && c.op != "not in" {
		// "3.8" < python_version is python_version > "3.8".
		c.lhs, c.rhs, c.lhsVar, c.rhsVar = c.rhs, c.lhs, true, false
		if f, ok := flipped[c.op]; ok {
			c.op = f
		}
	}
	return c, nil
}

// operand reads a quoted string or a variable name.
func (p *parser) operand() (string, bool, error) {
	p.space()
	if p.i >= len(p.s) {
		return "", false, errors.New("expected a variable or a quoted string")
	}
	if q := p.s[p.i]; q == '"' || q == '\'' {
		end := strings.IndexByte(p.s[p.i+1:], q)
		if end < 0 {
			return "", false, errors.New("unterminated string")
		}
		v := p.s[p.i+1 : p.i+1+end]
		p.i += end + 2
		return v, false, nil
	}
	start := p.i
	for p.i < len(p.s) && (isIdent(p.s[p.i]) || p.s[p.i] == '.') {
		p.i++
	}
	name := p.s[start:p.i]
	if !variables[name] {
		return "", false, fmt.Errorf("unknown variable %q", name)
	}
	if name == "python_version" || name == "python_full_version" {
		p.python = true
	}
	return name, true, nil
}

func (p *parser) operator() (string, error) {
	p.space()
	if p.keyword("not") {
		if !p.keyword("in") {
			return "", errors.New(`"not" without "in"`)
		}
		return "not in", nil
	}
	if p.keyword("in") {
		return "in", nil
	}
	for _, op := range operators[:8] {
		if strings.HasPrefix(p.s[p.i:], op) {
			p.i += len(op)
			return op, nil
		}
	}
	return "", fmt.Errorf("expected an operator at %q", p.s[p.i:])
}

func isIdent(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
