"""The words that may start an option inside each protocol, by protocol type: every keyword its grammar files
(``proto/TYPE/*.Y``; the kernel and device protocols' ``sysdep/*/krt*.Y`` and ``netlink.Y``) use in any BIRD
release from 2.0.0 to 3.3.2, and the common words the core grammar (``nest``, ``conf``, ``sysdep/unix/config.Y``)
uses. A union over releases: which release takes an option is for the gates in ``versions_options``."""

from __future__ import annotations

from birdkit.config.keywords import words

#: words any protocol may use (common protocol and channel options, interface patterns, passwords, ...)
COMMON_WORDS = words(
    """
    accept action aggregate algorithm all allocator ao as aspa aspa_providers attribute auth babel base bgp bird
    blackhole blake2b256 blake2b512 blake2s128 blake2s256 block bug by bytestring channels check class cli code
    commands confirm cork count debug default define description device digest direct disable disabled domain
    dont_fragment dport dscp dst dump dynamic ead enable enum error es eth eval events evpn export exported
    false fatal filter filtered filters first_fragment fixed flags flow4 flow6 flush for fragment from function
    gc generate graceful group header hmac hostname icmp id idle igp_metric imet import in info interface
    interfaces interval ip ipv4 ipv4_mc ipv4_mpls ipv6 ipv6_mc ipv6_mpls ipv6_sadr is_fragment iso keep key
    keyed keys l3vpn label last_fragment latency length limit link log long mac max md5 memory messages min mpls
    mpls_class mpls_label mpls_policy mrtdump ms multiplier name neighbor neighbors next no noexport none off
    offset on ospf out packets partial passive password passwords period ping pipe policy port preexport
    preference prefix pri primary prohibit proto protocol protocols range receive refresh reload remote
    resources restart restrict rip roa roa4 roa6 route router routes rpki rx s sadr scheduling sec settle sha1
    sha256 sha384 sha512 short show sockets soft sorted sport src start states static stats status stderr
    summary syslog table tables tcp template thread threads threshold time timeformat timeout timers to trace
    trie true tx type udp undo unicast unknown unreachable us v2 valid vlan vpn vpn4 vpn4_mc vpn4_mpls vpn6
    vpn6_mc vpn6_mpls vrf wait wakeup warn warning watchdog where yes
    """
)

#: the kernel and device protocols share their grammar files (``sysdep/*/krt*.Y``, ``netlink.Y``)
_KERNEL_AND_DEVICE_WORDS = words(
    """
    all buffer device graceful interface kernel krt_advmss krt_congctl krt_cwnd krt_fastopen_no_cookie
    krt_feature_allfrag krt_feature_ecn krt_hoplimit krt_initcwnd krt_initrwnd krt_lock_advmss
    krt_lock_congctl krt_lock_cwnd krt_lock_fastopen_no_cookie krt_lock_hoplimit krt_lock_initcwnd
    krt_lock_initrwnd krt_lock_mtu krt_lock_quickack krt_lock_reordering krt_lock_rto_min krt_lock_rtt
    krt_lock_rttvar krt_lock_ssthresh krt_lock_sstresh krt_lock_window krt_metric krt_mtu krt_prefsrc
    krt_quickack krt_realm krt_reordering krt_rto_min krt_rtt krt_rttvar krt_scope krt_source krt_ssthresh
    krt_sstresh krt_window learn limit merge metric netlink paths persist preferred restart routes rx scan
    table time
    """
)

#: each protocol type's own words; a protocol type not listed here is not checked
PROTOCOL_WORDS: dict[str, frozenset[str]] = {
    "aggregator": words(
        """
        aggregate aggregator by merge net on peer table
        """
    ),
    "babel": words(
        """
        authentication babel babel_metric buffer check cost decay delay entries extended hello hmac hop id
        interface interfaces interval ipv4 ipv6 length limit link mac max metric min native neighbors next none
        permissive port prefer priority randomize router routes rtt rx rxcost send show timestamps tunnel tx
        type update wired wireless
        """
    ),
    "bfd": words(
        """
        accept address all authentication bfd bind checksum dev direct express graceful group idle interface
        interval ipv4 ipv6 keyed local md5 meticulous min multihop multiplier neighbor none passive rx sha1 show
        simple strict thread tx udp6 zero
        """
    ),
    "bgp": words(
        """
        add address administrative advertise aes128 after aigp algorithm allow ao as as4 aspa_check_downstream
        aspa_check_upstream attribute authentication aware base bfd bgp bgp_aggregator bgp_aigp bgp_atomic_aggr
        bgp_cluster_list bgp_community bgp_ext_community bgp_large_community bgp_local_pref bgp_med bgp_next_hop
        bgp_origin bgp_originator_id bgp_otc bgp_path bgp_pmsi_tunnel bind capabilities cease change check
        client cluster cmac collision communities confederation configuration connect connection cost customer
        deconfigured default delay deprecated deterministic digits direct disable double drop dynamic ebgp
        enable enforce enhanced error evpn export extended external first flow4 flow6 forget format free gateway
        global graceful hit hold hop hostname ibgp id ignore igp import in interface internal interpret ipv4
        ipv6 keep keepalive key keys limit link lived lladdr local long mandatory max md5 med member messages
        metric min missing mpls multicast multihop name native neighbor next none of older onlink originate out
        passive password path paths peer port prefer preferred prefix provider range recursive recv refresh
        rejected reload require reset resources restart retry role roles route rr rs rs_client rs_server rx
        secondary secret security self send setkey sets settle shutdown single size source stale start startup
        strict table tcp time ttl tx validate via vpn4 vpn6 wait warning
        """
    ),
    "bmp": words(
        """
        address bmp buffer description enabled in ip limit local monitoring name port post_policy pre_policy rib
        station system tx
        """
    ),
    "device": _KERNEL_AND_DEVICE_WORDS,
    "direct": words(
        """

        """
    ),
    "evpn": words(
        """
        address default device distinguisher encapsulation evpn export import range rd route router tag target
        tunnel vid vlan vni vxlan
        """
    ),
    "kernel": _KERNEL_AND_DEVICE_WORDS,
    "l3vpn": words(
        """
        all distinguisher export import l3vpn none rd route target
        """
    ),
    "mrt": words(
        """
        add always dump filename filter mrt path period table to where
        """
    ),
    "ospf": words(
        """
        address all area authentication aware bcast bfd broadcast buffer check cost cost2 count cryptographic
        dead default delay ecmp eligible external global graceful hello hidden hmac id instance interface large
        length limit link lsa lsadb lsid merge multicast nbma neighbors netmask networks nonbroadcast none
        normal nssa only ospf ospf_metric1 ospf_metric2 ospf_router_id ospf_tag pe pointomultipoint pointopoint
        poll priority ptmp ptp real restart retransmit rfc1583compat rfc5838 router rx secondary security self
        show simple stability strict stub stubnet summary suppression tag tick time translator transmit ttl tx
        type v2 v3 virtual vpn wait weight
        """
    ),
    "perf": words(
        """
        exp export from import keep max min mode perf repeat threshold to
        """
    ),
    "pipe": words(
        """
        generation import in max peer pipe table
        """
    ),
    "radv": words(
        """
        autonomous config current custom default delay discovery dnssl domain high hop interface interval
        lifetime limit linger link local low managed max medium min mtu mult ns onlink option other pd
        preference preferred prefix propagate ra ra_lifetime ra_preference radv rdnss reachable retrans route
        router routes sensitive skip solicited time timer trigger type unicast valid value
        """
    ),
    "rip": words(
        """
        address authentication bfd broadcast buffer check circuit cryptographic demand ecmp garbage horizon
        infinity interface interfaces ip length limit link md5 metric mode multicast neighbors ng none only
        passive plaintext poison port priority retransmit reverse rip rip_metric rip_tag rx security show split
        time timeout ttl tx update version weight zero
        """
    ),
    "rpki": words(
        """
        address authentication bird expire ignore keep key length local max md5 min none password port private
        public refresh remote retry rpki ssh tcp transport user version
        """
    ),
    "static": words(
        """
        aspa bfd blackhole check dev drop igp link mpls onlink preference prohibit provider providers recursive
        reject route show static table transit unreachable via weight
        """
    ),
}
