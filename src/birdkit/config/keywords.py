"""BIRD's reserved words per version line (from the generated keyword tables of real builds)."""

from __future__ import annotations


def words(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text`` as a set."""
    return frozenset(text.split())


#: keywords of BIRD 2.0.12 with every protocol compiled in
KEYWORDS_2_0 = words(
    """
    accept action add address administrative advertise after aigp algorithm all allow always area as as4
    asn attribute attributes auth authentication autonomous aware babel babel_metric base bcast bfd bgp
    bgp_aggregator bgp_aigp bgp_atomic_aggr bgp_cluster_list bgp_community bgp_ext_community
    bgp_large_community bgp_local_pref bgp_med bgp_next_hop bgp_origin bgp_originator_id bgp_otc
    bgp_path bgpmask bgppath bind bird blackhole blake2b256 blake2b512 blake2s128 blake2s256 block bool
    broadcast bt_assert bt_check_assign bt_test_same bt_test_suite buffer bug by capabilities case cease
    change channels check circuit class client clist cluster code collision commands communities
    confederation config configuration configure confirm connect connection contains cost cost2 count
    cryptographic current customer data data1 data2 dead debug deconfigured default define defined delay
    delete demand description dest deterministic dev device digits direct disable disabled dnssl do
    domain dont_fragment down dport drop dscp dst dump dynamic ebgp ec echo eclist ecmp eligible else
    empty enable enforce entries error eval events exit exp expire export exported extended external
    false fatal filename filter filtered filters first first_fragment flags flow4 flow6 flush for forget
    format fragment free from function garbage gateway gc generate generic global graceful gw gw_mpls
    header hello help hidden high hit hmac hold hop horizon hostname ibgp icmp id idle if ifindex ifname
    ignore igp igp_metric import in infinity info instance int interface interfaces internal interpret
    interval ip ipv4 ipv4_mc ipv4_mpls ipv6 ipv6_mc ipv6_mpls ipv6_sadr is_fragment is_v4 is_v6 iso keep
    keepalive kernel key keyed krt_advmss krt_cwnd krt_feature_allfrag krt_feature_ecn krt_hoplimit
    krt_initcwnd krt_initrwnd krt_lock_advmss krt_lock_cwnd krt_lock_hoplimit krt_lock_mtu
    krt_lock_reordering krt_lock_rto_min krt_lock_rtt krt_lock_rttvar krt_lock_sstresh krt_lock_window
    krt_metric krt_mtu krt_prefsrc krt_quickack krt_realm krt_reordering krt_rto_min krt_rtt krt_rttvar
    krt_scope krt_source krt_sstresh krt_window label large last last_fragment last_nonaggregated
    latency lc lclist learn len length lifetime limit linger link lived lladdr local log long low lsa
    lsadb lsid mac managed mandatory mask match max maxlen md5 med medium member memory merge messages
    meticulous metric min missing mode mpls mrt mrtdump ms mtu mult multicast multihop multiplier name
    nbma neighbor neighbors net netlink netmask networks next ng no noexport nonbroadcast none normal ns
    nssa of off offset older on onlink only originate ospf ospf_metric1 ospf_metric2 ospf_router_id
    ospf_tag other out packets pair passive password passwords path paths pe peer perf period permissive
    persist pipe plaintext pointomultipoint pointopoint poison poll port preexport prefer preference
    preferred prefix prepend pri primary print printn priority private prohibit propagate proto protocol
    protocols provider ptmp ptp public quad quit ra ra_lifetime ra_preference radv randomize range rd
    rdnss reachable real receive recursive refresh reject rejected reload remote repeat require reset
    resources restart restrict retrans retransmit retry return reverse rfc1583compat rfc5838 rip
    rip_metric rip_tag ro roa4 roa6 roa_check role roles route router routes rpki rr rs rs_client
    rs_server rt rx rxcost s sadr scan scope sec secondary security self sensitive sessions set setkey
    sets settle sha1 sha256 sha384 sha512 short show shutdown simple skip sockets soft solicited sorted
    source split sport src ssh stability stale start startup state states static stats status stderr
    strict string stub stubnet summary suppression symbols syslog table tag tcp template then threshold
    tick time timeformat timeout timer to topology trace translator transmit transport trie trigger true
    ttl tx type undo unicast unknown unreachable unset update us user v2 v3 valid validate version via
    virtual vpn vpn4 vpn4_mc vpn4_mpls vpn6 vpn6_mc vpn6_mpls vrf wait warn warning watchdog weight
    where wired wireless yes zero
    """
)

#: words that became keywords by 2.19
ADDED_2_19 = words(
    """
    aes128 af aggregate aggregator ao append aspa aspa_check aspa_check_downstream aspa_check_upstream
    aspa_providers bgp_pmsi_tunnel bmp bridge bytestring checksum cli cmac custom decay deprecated
    discovery distinguisher double ead encapsulation enhanced enum es eth evpn filtering from_hex
    gw_mpls_stack imet kbr_source keys krt_congctl krt_fastopen_no_cookie krt_lock_congctl
    krt_lock_fastopen_no_cookie krt_lock_initcwnd krt_lock_initrwnd krt_lock_quickack krt_lock_ssthresh
    krt_ssthresh l3vpn monitoring mpls_class mpls_label mpls_policy native net_evpn_type net_type option
    pd policy post_policy pre_policy providers ranges recv rib roa rtd rts rtt secret send single
    station system tables target threads timestamps transit tunnel udp udp6 value vid vlan vni vxlan
    """
)

#: 2.0.12 keywords that are plain names by 2.19 (method names)
DROPPED_2_19 = words(
    """
    asn contains data data1 data2 flush is_v4 is_v6 last last_nonaggregated len mask match maxlen
    """
)

#: 3.3 keywords that 2.19 does not have
ADDED_3 = words(
    """
    allocator cork digest express fixed generation group partial ping scheduling size stacks thread
    timers wakeup
    """
)

#: 2.19 keywords that 3.x turned into filter-scope symbols
DROPPED_3 = words(
    """
    babel_metric bgp_aggregator bgp_aigp bgp_atomic_aggr bgp_cluster_list bgp_community
    bgp_ext_community bgp_large_community bgp_next_hop bgp_originator_id bgp_path bgp_pmsi_tunnel echo
    exp gw_mpls_stack igp_metric krt_advmss krt_congctl krt_cwnd krt_fastopen_no_cookie krt_hoplimit
    krt_initcwnd krt_initrwnd krt_lock_sstresh krt_metric krt_mtu krt_prefsrc krt_quickack krt_realm
    krt_reordering krt_rto_min krt_rtt krt_rttvar krt_scope krt_source krt_ssthresh krt_sstresh
    krt_window ospf_metric1 ospf_metric2 ospf_router_id ospf_tag perf ra_lifetime repeat rip_metric
    rip_tag
    """
)

#: 2.0.12 keywords the releases before lack, by the release that added them (the CF_KEYWORDS of each tag's sources;
#: the CLI words are the same from 2.0.7 to 2.0.12)
ADDED_2_0 = {
    (2, 0, 8): words("channels circuit demand enforce exported hostname sets"),
    (2, 0, 9): words(
        "blake2b256 blake2b512 blake2s128 blake2s256 data data1 data2 free gw_mpls mac netlink permissive settle "
        "trie validate"
    ),
    (2, 0, 10): words("gc"),
    (2, 0, 11): words("bgp_otc customer do provider require role roles rs_client rs_server"),
}

#: 2.0.7 keywords 2.0.8 dropped (the `quitbird` statement)
DROPPED_2_0_8 = words("quitbird")

#: keywords of the 2.14+ line (used for 2.x targets from 2.14)
KEYWORDS_2_19 = (KEYWORDS_2_0 | ADDED_2_19) - DROPPED_2_19

#: keywords of the 3.x line
KEYWORDS_3 = (KEYWORDS_2_19 | ADDED_3) - DROPPED_3

#: every word any supported BIRD version treats as a keyword
ALL_KEYWORDS = KEYWORDS_2_0 | DROPPED_2_0_8 | KEYWORDS_2_19 | KEYWORDS_3


#: EVPN/bridge words that reached the 3.x line only with 3.3 (the merge of 2.19)
EVPN_WORDS = words("bridge ead es eth evpn imet vid vlan vni vxlan")


def keywords_for(version: tuple[int, ...]) -> frozenset[str]:
    """The reserved words of the BIRD line ``version`` belongs to."""
    if version[0] >= 3:
        return KEYWORDS_3 if version >= (3, 3) else KEYWORDS_3 - EVPN_WORDS
    if version >= (2, 14):
        return KEYWORDS_2_19
    later = [added for since, added in ADDED_2_0.items() if version < since]
    return KEYWORDS_2_0.difference(*later) | (DROPPED_2_0_8 if version < (2, 0, 8) else frozenset())


#: BGP role keywords (new in 2.0.11) that 2.0.12-2.13 also accept wherever a name is expected: their BGP
#: grammar adds them to the `symbol` rule (measured with `bird -p` on Debian's 2.0.12)
ROLE_WORDS = words("customer peer provider role rs_client rs_server")


def reserved_names(version: tuple[int, ...]) -> frozenset[str]:
    """The keywords ``version`` refuses as a name (of a protocol, table, filter, constant, variable ...).

    Only meaningful where keywords are not names anyway (before 2.14, and 3.0 to 3.2.0).
    """
    reserved = keywords_for(version)
    if (2, 0, 12) <= version < (2, 14):
        return reserved - ROLE_WORDS
    return reserved
