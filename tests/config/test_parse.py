"""parse_config / load_config: the typed AST, trivia, includes, version gates and located errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import pytest

from birdkit import load_config, parse_config
from birdkit.config import ast
from birdkit.config.parse import check_config
from birdkit.config.versions import parse_target
from birdkit.errors import BirdSyntaxError, ConfigError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CONFIG = FIXTURES / "config"


def only(config: ast.Config) -> ast.Statement:
    assert len(config.statements) == 1, config.statements
    return config.statements[0]


def filter_body(text: str, target: str | None = None) -> tuple[ast.Statement, ...]:
    statement = only(parse_config(f"filter f {{ {text} }}", target=target))
    assert isinstance(statement, ast.FilterDef)
    return statement.body.statements


def condition(expr_text: str) -> ast.Expr:
    statement = filter_body(f"if {expr_text} then accept;")[0]
    assert isinstance(statement, ast.If)
    return statement.condition


def binary(expr_text: str) -> ast.Binary:
    expr = condition(expr_text)
    assert isinstance(expr, ast.Binary)
    return expr


# ---------------------------------------------------------------- the walkthrough, the first thing users try


@pytest.mark.parametrize(
    ("node", "own", "peer"), [("vm1", "198.18.0.1", "198.18.0.2"), ("vm2", "198.18.0.2", "198.18.0.1")]
)
def test_walkthrough_configs_parse_into_their_parts(node: str, own: str, peer: str) -> None:
    config = load_config(FIXTURES / "walkthrough" / f"{node}.conf")
    assert config.router_id is not None and config.router_id.value == ast.Ip(own)
    assert [(p.proto_type, p.name) for p in config.protocols()] == [
        ("device", None),
        ("direct", None),
        ("kernel", None),
        ("static", None),
        ("bgp", "vm2" if node == "vm1" else "vm1"),
    ]
    bgp = config.protocols()[-1]
    assert bgp.endpoint("local") == ast.BgpEndpoint("local", address=ast.Ip(own), asn=ast.Num("65000"))
    assert bgp.endpoint("neighbor") == ast.BgpEndpoint("neighbor", address=ast.Ip(peer), asn=ast.Num("65000"))
    (channel,) = bgp.channels()
    assert channel.net_type == "ipv4"
    assert [i.policy for i in channel.imports()] == [ast.PolicyAll()]
    assert [e.policy for e in channel.exports()] == [ast.PolicyAll()]
    (route,) = config.protocols()[3].static_routes()
    assert route.kind == "blackhole"
    assert str(route.net) in ("10.0.1.0/24", "10.0.2.0/24")
    assert config.statements[0] == ast.Option((ast.Word("log"), ast.Word("syslog"), ast.Word("all")))


def test_walkthrough_markdown_configs_parse() -> None:
    seed = Path(__file__).resolve().parents[2].parent / "shared" / "seed" / "walkthrough.md"
    if not seed.is_file():
        pytest.skip("../shared/seed/walkthrough.md is not present")
    blocks = seed.read_text().split("```")
    configs = [block.split("\n", 1)[1] for block in blocks[1::2] if "protocol bgp" in block]
    assert len(configs) >= 2
    for text in configs:
        assert any(p.proto_type == "bgp" for p in parse_config(text).protocols())


# ---------------------------------------------------------------- AST shape


def test_public_results_are_attrs_nodes_not_lark_trees() -> None:
    config = load_config(CONFIG / "full.conf")
    for node in _walk(config):
        assert attrs.has(type(node)), type(node)
        assert attrs.fields(type(node)).span.eq is False


def test_spans_name_file_line_and_column() -> None:
    config = load_config(CONFIG / "full.conf")
    bgp = config.protocol("uplink1")
    assert bgp is not None and bgp.span is not None
    text = (CONFIG / "full.conf").read_text().splitlines()
    assert text[bgp.span.line - 1].startswith("protocol bgp uplink1")
    assert bgp.span.column == 1
    assert bgp.span.path == str(CONFIG / "full.conf")


def test_spans_do_not_take_part_in_equality() -> None:
    assert parse_config("protocol device {}\n") == parse_config("protocol   device\n  {\n\n}\n")


def test_operator_precedence_follows_bird() -> None:
    # && and || share one level and associate to the left
    assert condition("a || b && c") == ast.Binary(
        "&&", ast.Binary("||", ast.Symbol("a"), ast.Symbol("b")), ast.Symbol("c")
    )
    # ! binds tighter than ~
    assert condition("! net ~ S") == ast.Binary("~", ast.Not(ast.Symbol("net")), ast.Symbol("S"))
    assert condition("1 + 2 * 3 = 7") == ast.Binary(
        "=", ast.Binary("+", ast.Num("1"), ast.Binary("*", ast.Num("2"), ast.Num("3"))), ast.Num("7")
    )
    assert condition("net.ip.mask(8) = 10.0.0.0") == ast.Binary(
        "=",
        ast.MethodCall(ast.MethodCall(ast.Symbol("net"), "ip"), "mask", (ast.Num("8"),)),
        ast.Ip("10.0.0.0"),
    )


def test_comparisons_do_not_chain() -> None:
    with pytest.raises(BirdSyntaxError):
        condition("a = b = c")


def test_literals() -> None:
    assert condition("net ~ [10.0.0.0/8+, 10.0.0.0/8-, 192.168.0.0/16{24,32}]") == ast.Binary(
        "~",
        ast.Symbol("net"),
        ast.SetLit(
            (
                ast.PrefixPattern(ast.Prefix("10.0.0.0", 8), "+"),
                ast.PrefixPattern(ast.Prefix("10.0.0.0", 8), "-"),
                ast.PrefixPattern(ast.Prefix("192.168.0.0", 16), "{}", 24, 32),
            )
        ),
    )
    assert binary("bgp_community ~ [(65000, *), (65001, 1..100)]").right == ast.SetLit(
        (
            ast.Pair(ast.Num("65000"), ast.Wildcard()),
            ast.Pair(ast.Num("65001"), ast.Range(ast.Num("1"), ast.Num("100"))),
        )
    )
    assert binary("bgp_path ~ [= * 65000 ? 1 2+ =]").right == ast.PathMask(
        (ast.MaskAny(), ast.Num("65000"), ast.MaskOne(), ast.Num("1"), ast.Num("2"), ast.MaskPlus())
    )
    assert binary("(rt, 65000, 1) ~ bgp_ext_community").left == ast.ExtCommunity("rt", ast.Num("65000"), ast.Num("1"))
    assert binary("(unknown 0x2, 1, 2) ~ x").left == ast.ExtCommunity(
        "unknown", ast.Num("1"), ast.Num("2"), ast.Num("0x2")
    )
    assert binary("(1, 2, 3) ~ bgp_large_community").left == ast.LargeCommunity(
        ast.Num("1"), ast.Num("2"), ast.Num("3")
    )
    assert binary("r = 65000:1").right == ast.Rd("65000:1")
    assert binary("a = fe80::1").right == ast.Ip("fe80::1")
    assert binary("a = hex:01:02").right == ast.ByteString("hex:01:02")
    assert binary("p = +empty+").right == ast.EmptyList("+empty+")
    assert binary("p = - empty -").right == ast.EmptyList("-empty-")
    assert ast.Num("0x10").value == 16


def test_filter_statements() -> None:
    statements = filter_body(
        'int x = 1; x = x + 1; bgp_community.add((1, 2)); print "a", x; printn "b"; '
        "case x { 1, 2..3: reject; x = 2; else: accept; } for int a in bgp_path do x = a; "
        'if x > 1 then { accept; } else reject "no"; accept;'
    )
    kinds = [type(s).__name__ for s in statements]
    assert kinds == ["VarDecl", "Assign", "ExprStmt", "Print", "Print", "Case", "For", "If", "Accept"]
    case = statements[5]
    assert isinstance(case, ast.Case)
    assert [arm.labels for arm in case.arms] == [
        (ast.Num("1"), ast.Range(ast.Num("2"), ast.Num("3"))),
        (),
    ]
    assert [len(arm.statements) for arm in case.arms] == [2, 1]
    assert statements[4] == ast.Print((ast.Str("b"),), newline=False)


def test_function_header() -> None:
    function = only(parse_config("function f(int a; ip b) -> bool int c; { return a > 1; }"))
    assert isinstance(function, ast.FunctionDef)
    assert function.params == (ast.Param(ast.TypeRef("int"), "a"), ast.Param(ast.TypeRef("ip"), "b"))
    assert function.return_type == ast.TypeRef("bool")
    assert function.local_vars == (ast.VarDecl(ast.TypeRef("int"), "c"),)


def test_unknown_but_valid_options_are_kept_word_by_word() -> None:
    protocol = only(parse_config('protocol ospf { area 0 { interface "eth*" 10.0.0.0/8 { hello 5; }; }; }'))
    assert isinstance(protocol, ast.Protocol)
    option = protocol.items[0]
    interface = ast.Option(
        (ast.Word("interface"), ast.Str("eth*"), ast.Prefix("10.0.0.0", 8)),
        ast.OptionBlock((ast.Option((ast.Word("hello"), ast.Num("5"))),)),
    )
    assert option == ast.Option((ast.Word("area"), ast.Num("0")), ast.OptionBlock((interface,)))
    assert protocol.options("area") == (option,)
    with pytest.raises(BirdSyntaxError, match="unknown option 'frobnicate'"):
        parse_config("protocol bgp p { frobnicate 5; }")


def test_channels_routes_and_tables() -> None:
    config = load_config(CONFIG / "full.conf")
    assert [t.name for t in config.statements if isinstance(t, ast.Table)] == ["peers4", "r4"]
    template = config.protocol("PEERS")
    assert template is not None and template.is_template
    (channel,) = template.channels()
    assert channel.table == "peers4"
    assert channel.imports()[0].policy == ast.PolicyFilterName("peer_in")
    where = channel.exports()[0].policy
    assert where == ast.PolicyWhere(ast.Binary("=", ast.Symbol("source"), ast.Symbol("RTS_STATIC")))
    uplink = config.protocol("uplink1")
    assert uplink is not None and uplink.from_template == "PEERS"
    static = config.protocol("static4")
    assert static is not None
    routes = static.static_routes()
    assert [r.kind for r in routes] == ["via", "via", "blackhole", "via"]
    assert [h.gateway for h in routes[1].next_hops] == [ast.Ip("192.0.2.253"), ast.Ip("192.0.2.252")]
    assert routes[3].attributes is not None and len(routes[3].attributes.statements) == 2


def test_comments_and_blank_lines_are_trivia() -> None:
    text = "# head\nrouter id 1.2.3.4; # why\n\n/* block */\nprotocol device {\n  # inner\n}\n# tail\n"
    config = parse_config(text)
    router, device = config.statements
    assert router.comments_before == (ast.Comment("# head"),)
    assert router.trailing_comment == ast.Comment("# why")
    assert device.blank_line_before is True
    assert device.comments_before == (ast.Comment("/* block */"),)
    assert isinstance(device, ast.Protocol) and device.comments_end == (ast.Comment("# inner"),)
    assert config.comments_end == (ast.Comment("# tail"),)
    assert parse_config(text) != parse_config(text.replace("# why", "# other"))


# ---------------------------------------------------------------- includes


def test_load_config_expands_includes_and_remembers_files() -> None:
    config = load_config(CONFIG / "includes" / "main.conf")
    assert not any(isinstance(s, ast.Include) for s in config.statements)
    names = [p.name for p in config.protocols()]
    assert names == [None, "peer_a", "peer_b"]
    peer_b = config.protocol("peer_b")
    assert peer_b is not None and peer_b.span is not None
    assert peer_b.span.path == str(CONFIG / "includes" / "peers" / "b.conf")
    (channel,) = peer_b.channels()
    assert channel.span is not None and channel.span.path == str(CONFIG / "includes" / "peers" / "../channel.inc")
    define = config.defines()[0]
    assert define.span is not None and define.span.path.endswith("common.conf")


def test_parse_config_keeps_include_statements() -> None:
    config = parse_config('include "x.conf";\nprotocol device {}\n')
    assert config.statements[0] == ast.Include("x.conf")


def test_include_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="include loop"):
        load_config(CONFIG / "loop" / "a.conf")
    (tmp_path / "main.conf").write_text('include "missing.conf";\n')
    with pytest.raises(ConfigError, match=r"missing\.conf") as caught:
        load_config(tmp_path / "main.conf")
    assert caught.value.line == 1
    (tmp_path / "mid.conf").write_text('router id 1.1.1.1; include "x.conf";\n')
    with pytest.raises(BirdSyntaxError, match="must start a line"):
        load_config(tmp_path / "mid.conf")


def test_include_nesting_limit(tmp_path: Path) -> None:
    for level in range(10):
        (tmp_path / f"l{level}.conf").write_text(f'include "l{level + 1}.conf";\n')
    (tmp_path / "l10.conf").write_text("protocol device {}\n")
    with pytest.raises(ConfigError, match="deeper than 8"):
        load_config(tmp_path / "l0.conf")
    assert load_config(tmp_path / "l3.conf").protocols()


# ---------------------------------------------------------------- versions


@pytest.mark.parametrize(
    ("text", "version"),
    [("2.0.12", (2, 0, 12)), ("2.14", (2, 14, 0)), ("3", (3, 0, 0)), ("v3.1.8", (3, 1, 8)), ("2.19-dev", (2, 19, 0))],
)
def test_targets(text: str, version: tuple[int, int, int]) -> None:
    assert parse_target(text) == version


def test_bad_target() -> None:
    with pytest.raises(ConfigError, match="unknown BIRD version"):
        parse_target("1.6")


@pytest.mark.parametrize(
    ("snippet", "rejected_by", "accepted_by"),
    [
        ("function f(int a) -> int { return a; }", "2.0.12", "2.14"),
        ("attribute int tag;", "2.0.12", "2.17.6"),
        ("attribute int tag;", "3.1.8", "3.3.2"),
        ("protocol static peer { ipv4; }", "3.1.8", "2.17.6"),
        ("protocol kernel { ipv4; learn all; }", "2.0.12", "2.17.6"),
        ('function f() { string s1 = "a" ++ "b"; }', "3.1.8", "3.3.2"),
        ("filter f { if scope = SCOPE_HOST then accept; reject; }", "3.1.8", "2.17.6"),
        ("protocol static { ipv4 { export in 10.0.0.0/8 all; }; }", "2.17.6", "3.1.8"),
    ],
)
def test_version_gates(snippet: str, rejected_by: str, accepted_by: str) -> None:
    with pytest.raises(BirdSyntaxError, match=rejected_by):
        parse_config(snippet, target=rejected_by)
    parse_config(snippet, target=accepted_by)


def test_check_adds_bird_p_semantics(tmp_path: Path) -> None:
    with pytest.raises(BirdSyntaxError, match="unknown filter 'later'"):
        check_config("x.conf", text="protocol static { ipv4 { import filter later; }; }\nfilter later { accept; }\n")
    with pytest.raises(ConfigError, match="no protocol"):
        check_config("x.conf", text="router id 1.2.3.4;\n")
    with pytest.raises(ConfigError, match="no protocol") as empty:
        check_config("empty.conf", text="")
    assert empty.value.path == "empty.conf"
    with pytest.raises(ConfigError, match="EBGP requires explicit import policy"):
        check_config("x.conf", text="protocol bgp { local as 1; neighbor 192.0.2.1 as 2; ipv4; }\n")
    with pytest.raises(BirdSyntaxError, match="unexpected 'neighbor' in 'local'") as caught:
        check_config("x.conf", text="protocol bgp x { local as 65000\n neighbor 192.0.2.1 as 1; }\n")
    assert caught.value.hint is not None and "';' after the 'local ...'" in caught.value.hint
    with pytest.raises(BirdSyntaxError, match="'reject' is a keyword") as caught:
        check_config("x.conf", text="filter f { if net.len > 8 then accept\n reject; }\nprotocol device {}\n")
    assert caught.value.hint is not None and "';' before 'reject'" in caught.value.hint
    assert check_config(CONFIG / "full.conf").protocol("uplink1") is not None


def test_unnamed_protocols_and_templates_get_birds_names() -> None:
    text = (
        "filter bgp2 { accept; }\n"
        "template bgp { local as 65001; }\n"
        "protocol bgp { neighbor 192.0.2.1 as 65002; ipv4 { import all; export none; }; }\n"
        "protocol bgp x from bgp1 { neighbor 192.0.2.2 as 65003; ipv4 { import all; export none; }; }\n"
        "protocol device {}\n"
        "protocol ospf v3 { area 0 { }; }\n"
    )
    config = check_config("x.conf", text=text)
    names = [name for name, _ in config.named_protocols()]
    # the counter skips bgp2, which the filter took
    assert names == ["bgp1", "bgp3", "x", "device1", "ospf1"]
    assert config.protocol("bgp3") is config.statements[2]
    with pytest.raises(BirdSyntaxError, match="unknown template 'bgp2'"):
        check_config("x.conf", text=text.replace("from bgp1", "from bgp2"))


AGGREGATOR = """\
ipv6 table result;
protocol aggregator {
  table master6;
  export where defined(bgp_path);
  aggregate on net, bgp_path, (defined(bgp_med));
  merge by {
    for route r in routes do { bgp_community = bgp_community.add(r.bgp_community); }
    accept;
  };
  import all;
  peer table result;
}
"""


def test_aggregator_protocol() -> None:
    protocol = check_config("x.conf", text=AGGREGATOR, target="2.17.6").statements[1]
    assert isinstance(protocol, ast.Protocol)
    aggregate, merge = protocol.items[2:4]
    assert isinstance(aggregate, ast.AggregateOn) and isinstance(merge, ast.MergeBy)
    assert [type(key).__name__ for key in aggregate.keys] == ["Symbol", "Symbol", "Paren"]
    assert isinstance(merge.body.statements[0], ast.For)
    with pytest.raises(ConfigError, match="'NET' must be present"):
        check_config("x.conf", text=AGGREGATOR.replace("on net, ", "on "))
    with pytest.raises(BirdSyntaxError, match=r"needs BIRD 2\.14"):
        check_config("x.conf", text=AGGREGATOR, target="2.0.12")


def test_merge_paths_stays_an_option_beside_merge_by() -> None:
    protocol = only(parse_config("protocol kernel { ipv4; merge paths yes limit 4; }"))
    assert isinstance(protocol, ast.Protocol)
    option = protocol.items[1]
    assert isinstance(option, ast.Option) and option.name == "merge paths yes limit"
    assert option.words[-1] == ast.Num("4")


# ---------------------------------------------------------------- errors


def error_for(text: str) -> BirdSyntaxError:
    with pytest.raises(BirdSyntaxError) as caught:
        parse_config(text, "bird.conf")
    return caught.value


def test_errors_are_located_and_in_words() -> None:
    error = error_for("protocol device {}\nrouter id 1.2.3.4\nprotocol direct {}\n")
    assert (error.path, error.line, error.column) == ("bird.conf", 3, 1)
    assert "expected" in error.message and "';'" in error.message
    assert "__ANON" not in str(error) and "SEMICOLON" not in str(error)
    assert str(error).startswith("bird.conf:3:1: ")
    assert "    protocol direct {}\n    ^" in str(error)


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("protocol bgp p { ipv4 { import all; } neighbor 192.0.2.1 as 1; }", "must end with '};'"),
        ("Router ID 1.2.3.4;", "router id"),
        ("router ID 1.2.3.4;", "lowercase"),
        ("function f(int a, int b) { return a; }", "separated by ';'"),
        ("function f(int a) { case a { 1: print 1; else : print 2; } }", "'else:' without a space"),
        ("filter f { if net.len > 24 then { reject; }; accept; }", "takes no ';' after it"),
        ("protocol device {\n", "a '}' or ';' is missing"),
        (
            "protocol bgp vm2 {\n  local 198.18.0.1 as 65000;\n  neighbor 198.18.0.2 as 65000\n"
            "  ipv4 { import all; export all; };\n}\n",
            "line 3 does not end with ';'",
        ),
    ],
)
def test_hints_for_common_mistakes(text: str, hint: str) -> None:
    error = error_for(text)
    assert error.hint is not None and hint in error.hint, str(error)


def _walk(node: Any) -> list[Any]:
    found = [node]
    for field in attrs.fields(type(node)):
        value = getattr(node, field.name)
        values = value if isinstance(value, tuple) else (value,)
        found.extend(n for v in values if isinstance(v, ast.Node) for n in _walk(v))
    return found


def test_the_first_unknown_symbol_reported_is_the_leftmost_as_in_bird() -> None:
    # bird -p (2.0.12): "2:12 syntax error, unexpected CF_SYM_UNDEFINED" (that is 'alpha', not 'beta')
    text = "filter f {\n  if net = alpha || net = beta then accept;\n  reject;\n}\nprotocol device {}\n"
    with pytest.raises(BirdSyntaxError, match="unknown symbol 'alpha'") as caught:
        check_config("x.conf", text=text, target="2.0.12")
    assert (caught.value.line, caught.value.column) == (2, 12)
