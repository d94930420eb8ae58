using System.Text;

namespace HeavyJobs.Cli.Service;

/// <summary>Quoting for the places a unit's text goes: command lines, environment files, and the shell a Zabbix agent runs.</summary>
public static class SystemdText
{
    /// <summary>One argument of ExecStart=: quoted when it has spaces or quotes; % and $ doubled so systemd expands nothing.</summary>
    public static string Arg(string value)
    {
        var escaped = value.Replace("%", "%%", StringComparison.Ordinal).Replace("$", "$$", StringComparison.Ordinal);
        return escaped.Length > 0 && !escaped.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\' or ';')
            ? escaped
            : "\"" + escaped.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }

    public static string Command(IEnumerable<string> args) => string.Join(' ', args.Select(Arg));

    /// <summary>A line of an EnvironmentFile=: the value in double quotes, so spaces and ';' (connection strings) stay as they are.</summary>
    public static string EnvLine(string key, string value) =>
        $"{key}=\"{value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";

    /// <summary>Reads an EnvironmentFile= as systemd does for the lines <see cref="EnvLine"/> writes (and unquoted ones).</summary>
    public static Dictionary<string, string> ReadEnv(string text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';' || line.IndexOf('=', StringComparison.Ordinal) is not (var eq and > 0))
            {
                continue;
            }

            var value = line[(eq + 1)..].Trim();
            if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
            {
                var unquoted = new StringBuilder();
                for (var i = 1; i < value.Length - 1; i++)
                {
                    unquoted.Append(value[i] == '\\' && i + 1 < value.Length - 1 ? value[++i] : value[i]);
                }

                value = unquoted.ToString();
            }

            values[line[..eq].Trim()] = value;
        }

        return values;
    }

    /// <summary>One word for /bin/sh, as a Zabbix agent runs a UserParameter's command.</summary>
    public static string Shell(string value) =>
        value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '-' or '_' or '+' or ':' or '=' or ',')
            ? value
            : "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>A file mode as written in octal ("0600").</summary>
    public static UnixFileMode Mode(string octal) => (UnixFileMode)Convert.ToInt32(octal, 8);
}
