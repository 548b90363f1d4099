//! Where a flow's webhook may connect: the hosts (and ports) the deployment lists, and, after a
//! name is resolved, only addresses on the public internet, unless that very address is listed.
//! The resolver hands the client the addresses it checked, so the connection goes where the
//! check looked (no second lookup an attacker's DNS could answer differently).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

/// Ports a listed host may be reached on without naming the port.
const STANDARD_PORTS: [u16; 2] = [80, 443];

/// One entry of `flow_webhook_hosts`: a host name or an IP address, with an extra port it may
/// be reached on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    host: String,
    port: Option<u16>,
}

/// Why an entry of the settings is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a host name or IP address with an optional port (write hooks.example.org or 10.0.0.5:8080: no scheme or path)")]
pub struct NotAHost(pub String);

/// A host as written in the settings or in a URL: lower case, without a trailing dot or the
/// brackets of an IPv6 address.
pub fn normal_host(host: &str) -> String {
    host.trim().trim_start_matches('[').trim_end_matches(']').trim_end_matches('.').to_ascii_lowercase()
}

/// Reads `host`, `host:port`, an IPv4 or IPv6 address, or `[v6]:port`.
pub fn parse_listed(entry: &str) -> Result<Option<Listed>, NotAHost> {
    let entry = entry.trim();
    if entry.is_empty() {
        return Ok(None);
    }
    let refused = || NotAHost(entry.to_owned());
    let bare = entry.strip_prefix('[').and_then(|e| e.strip_suffix(']')).unwrap_or(entry);
    if let Ok(address) = bare.parse::<IpAddr>() {
        return Ok(Some(Listed { host: normal_host(&address.to_string()), port: None }));
    }
    if let Ok(socket) = entry.parse::<SocketAddr>() {
        let host = normal_host(&socket.ip().to_string());
        return Ok(Some(Listed { host, port: Some(socket.port()) }));
    }
    let (name, port) = match entry.rsplit_once(':') {
        Some((name, port)) => (name, Some(port.parse::<u16>().map_err(|_| refused())?)),
        None => (entry, None),
    };
    let valid = !name.is_empty()
        && name.len() <= 253
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        && port != Some(0);
    if !valid {
        return Err(refused());
    }
    Ok(Some(Listed { host: normal_host(name), port }))
}

/// The listed hosts, as the webhook service and its resolver consult them.
#[derive(Debug, Default)]
pub struct Allowed {
    entries: Vec<Listed>,
    /// Addresses listed as such: these may be reached even when they are not public.
    addresses: Vec<IpAddr>,
}

impl Allowed {
    pub fn new(entries: impl IntoIterator<Item = Listed>) -> Allowed {
        let entries: Vec<Listed> = entries.into_iter().collect();
        let addresses = entries.iter().filter_map(|e| e.host.parse::<IpAddr>().ok()).collect();
        Allowed { entries, addresses }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether a URL's host and port (the scheme's default when the URL names none) are
    /// listed: the host by name or address, the port standard or listed with that host.
    pub fn admits(&self, host: &str, port: u16) -> bool {
        let host = normal_host(host);
        let mut listed = self.entries.iter().filter(|e| e.host == host).peekable();
        listed.peek().is_some() && (STANDARD_PORTS.contains(&port) || listed.any(|e| e.port == Some(port)))
    }

    /// Whether a connection to `address` may be made: a public address, or one listed itself.
    pub fn reaches(&self, address: IpAddr) -> bool {
        is_public(address) || self.addresses.contains(&canonical(address))
    }
}

/// The resolver the webhook client uses: the system's lookup, keeping only the addresses
/// [`Allowed::reaches`] accepts; a name left with none fails to resolve.
pub struct CheckedResolver(pub Arc<Allowed>);

impl reqwest::dns::Resolve for CheckedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allowed = Arc::clone(&self.0);
        let name = name.as_str().to_owned();
        Box::pin(async move {
            let found = tokio::net::lookup_host((name.as_str(), 0)).await?;
            let kept: Vec<SocketAddr> = found.filter(|a| allowed.reaches(a.ip())).collect();
            if kept.is_empty() {
                return Err("no address this webhook may reach".into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(kept.into_iter());
            Ok(addrs)
        })
    }
}

/// An IPv4 address carried in IPv6 (mapped or NAT64) compares as itself.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => embedded_v4(v6).map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

fn embedded_v4(v6: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = v6.segments();
    let mapped = s[..5] == [0, 0, 0, 0, 0] && s[5] == 0xffff;
    let nat64 = s[..6] == [0x64, 0xff9b, 0, 0, 0, 0];
    (mapped || nat64).then(|| Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8))
}

/// Whether an address is on the public internet: not this machine, not a private or shared
/// network, not link-local (where cloud metadata services answer), not multicast, reserved or
/// for documentation.
pub fn is_public(address: IpAddr) -> bool {
    match canonical(address) {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(v4: Ipv4Addr) -> bool {
    let [a, b, c, _] = v4.octets();
    let internal = v4.is_unspecified()
        || v4.is_loopback()
        || v4.is_private()
        || v4.is_link_local()
        || v4.is_broadcast()
        || v4.is_multicast()
        || v4.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (carrier NAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || a >= 240; // reserved
    !internal
}

fn is_public_v6(v6: Ipv6Addr) -> bool {
    let s = v6.segments();
    let internal = v6.is_unspecified()
        || v6.is_loopback()
        || v6.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local (fd00:ec2::254 is a metadata service)
        || (s[0] & 0xffc0) == 0xfe80 // link-local
        || (s[0] & 0xffc0) == 0xfec0 // site-local, deprecated
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || (s[0] == 0x0100 && s[1..4] == [0, 0, 0]) // discard-only
        || s[..6] == [0, 0, 0, 0, 0, 0]; // IPv4-compatible, deprecated
    !internal
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn internal_addresses_are_not_public() {
        for a in [
            "127.0.0.1",
            "127.8.9.10",
            "0.0.0.0",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "192.0.2.5",
            "198.18.0.1",
            "240.0.0.1",
            "::1",
            "::",
            "fd00:ec2::254",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::10.0.0.1",
            "2001:db8::1",
        ] {
            assert!(!is_public(ip(a)), "{a}");
        }
        for a in ["1.1.1.1", "93.184.216.34", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:8.8.8.8"] {
            assert!(is_public(ip(a)), "{a}");
        }
    }

    #[test]
    fn entries_name_a_host_and_maybe_a_port() {
        let listed = |s: &str| parse_listed(s).unwrap().unwrap();
        assert_eq!(listed(" Hooks.Example.ORG. "), Listed { host: "hooks.example.org".into(), port: None });
        assert_eq!(listed("hooks.example.org:8443"), Listed { host: "hooks.example.org".into(), port: Some(8443) });
        assert_eq!(listed("10.0.0.5:8080"), Listed { host: "10.0.0.5".into(), port: Some(8080) });
        assert_eq!(listed("[::1]:8080"), Listed { host: "::1".into(), port: Some(8080) });
        assert_eq!(listed("::1"), Listed { host: "::1".into(), port: None });
        assert_eq!(listed("[::1]"), Listed { host: "::1".into(), port: None });
        assert_eq!(parse_listed("  ").unwrap(), None);
        for bad in ["https://hooks.example.org", "hooks.example.org/path", "*.example.org", "a:b", "a:0", "a:70000"] {
            assert!(parse_listed(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ports_other_than_the_standard_ones_must_be_listed() {
        let allowed = Allowed::new(["hooks.example.org", "10.0.0.5:8080"].map(|e| parse_listed(e).unwrap().unwrap()));
        assert!(allowed.admits("hooks.example.org", 443));
        assert!(allowed.admits("HOOKS.example.org.", 80));
        assert!(!allowed.admits("hooks.example.org", 8080));
        assert!(allowed.admits("10.0.0.5", 8080));
        assert!(allowed.admits("10.0.0.5", 443));
        assert!(!allowed.admits("10.0.0.5", 22));
        assert!(!allowed.admits("example.org", 443));
    }

    #[test]
    fn an_internal_address_is_reached_only_when_listed_itself() {
        let allowed = Allowed::new(["hooks.example.org", "10.0.0.5:8080"].map(|e| parse_listed(e).unwrap().unwrap()));
        assert!(allowed.reaches(ip("10.0.0.5")));
        assert!(allowed.reaches(ip("::ffff:10.0.0.5")));
        assert!(!allowed.reaches(ip("10.0.0.6")));
        assert!(!allowed.reaches(ip("127.0.0.1")));
        assert!(!allowed.reaches(ip("169.254.169.254")));
        assert!(allowed.reaches(ip("1.1.1.1")));
    }
}
