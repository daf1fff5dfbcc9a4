using System.Text;

namespace EdgeTelemetry.Dashboards.Tests.InfluxQl;

/// <summary>
/// A deliberately small reader of the InfluxQL the dashboards use, to list which measurements,
/// fields and tags a query references and check them against <see cref="DataModel.Measurements"/>.
///
/// Understood: <c>SELECT … FROM "m"[, "m"…] | (subquery) [WHERE …] [GROUP BY time(…), "tag"…]
/// [fill(…)] [ORDER BY …] [LIMIT …]</c>; <c>SHOW TAG VALUES [FROM …] WITH KEY = "k" | IN (…) [WHERE …]</c>;
/// <c>SHOW MEASUREMENTS</c>, <c>SHOW FIELD KEYS</c>/<c>SHOW TAG KEYS [FROM …]</c>; several statements
/// separated by <c>;</c>. Double-quoted and bare identifiers, <c>db.rp.m</c> (the last part counts),
/// <c>AS</c> aliases, function names (a bare word before <c>(</c>), <c>::field</c>/<c>::tag</c> casts,
/// arithmetic, string/regex/duration literals.
///
/// Limits, reported as problems rather than guessed: regex measurement sources (<c>FROM /re/</c>),
/// regex field selectors (<c>mean(/re/)</c>), <c>SELECT *</c> contributes no references (it cannot
/// name an undefined field), <c>INTO</c>, and statements other than the above. Not checked: field
/// types, whether a function suits a field type, and tag values. In a subquery's outer query a name
/// must be one of the inner query's output columns (alias, plain field or function name) or GROUP BY
/// tags; whether InfluxDB names an unaliased expression column the same way is not modelled.
/// </summary>
public static class InfluxQlReferences
{
    public static IReadOnlyList<string> Problems(string influxQl) => Check(influxQl).Problems;

    public static CheckResult Check(string influxQl)
    {
        var result = new CheckResult();
        List<Token> tokens;
        try { tokens = Tokenize(influxQl); }
        catch (FormatException e) { result.Problems.Add(e.Message); return result; }

        foreach (var statement in SplitStatements(tokens))
        {
            if (statement.Count == 0) continue;
            var reader = new Reader(statement);
            try
            {
                if (reader.PeekKeyword("SELECT"))
                {
                    var select = ParseSelect(reader, result);
                    if (!reader.AtEnd) result.Problems.Add($"unexpected '{reader.Peek().Text}' after the SELECT statement");
                    CheckSelect(select, result);
                }
                else if (reader.PeekKeyword("SHOW"))
                {
                    ParseShow(reader, result);
                }
                else
                {
                    result.Problems.Add($"statement starting with '{statement[0].Text}' is not understood by the checker");
                }
            }
            catch (FormatException e)
            {
                result.Problems.Add(e.Message);
            }
        }
        return result;
    }

    public sealed class CheckResult
    {
        public List<string> Problems { get; } = [];
        public HashSet<string> Measurements { get; } = new(StringComparer.Ordinal);
        /// <summary>(measurement, key) for every field or tag key referenced against a measurement.</summary>
        public HashSet<(string Measurement, string Key)> Keys { get; } = [];
    }

    // ---------------------------------------------------------------- statements

    private sealed class Select
    {
        public List<string> SelectNames { get; } = [];
        public List<string> OutputNames { get; } = [];
        public List<string> Measurements { get; } = [];
        public Select? Subquery { get; set; }
        public List<string> WhereNames { get; } = [];
        public List<string> GroupByTags { get; } = [];
    }

    private static readonly HashSet<string> ClauseKeywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "GROUP", "ORDER", "LIMIT", "SLIMIT", "OFFSET", "SOFFSET", "FILL", "TZ",
    };

    private static readonly HashSet<string> ExpressionKeywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "AND", "OR", "AS", "TRUE", "FALSE", "DISTINCT",
    };

    private static Select ParseSelect(Reader r, CheckResult result)
    {
        var select = new Select();
        r.ExpectKeyword("SELECT");
        var fieldTokens = r.TakeUntil(t => t.IsKeyword("FROM") || t.IsKeyword("INTO"));
        if (r.PeekKeyword("INTO")) throw new FormatException("SELECT … INTO is not understood by the checker");
        ReadSelectList(fieldTokens, select, result);
        r.ExpectKeyword("FROM");
        if (r.Peek().Kind == Kind.Punct && r.Peek().Text == "(")
        {
            r.Next();
            select.Subquery = ParseSelect(r, result);
            r.ExpectPunct(")");
        }
        else
        {
            do
            {
                var source = r.Next();
                if (source.Kind == Kind.Regex) throw new FormatException($"regex source /{source.Text}/ is not understood by the checker");
                if (!source.IsIdentifier) throw new FormatException($"expected a measurement after FROM, found '{source.Text}'");
                var name = source.Text;
                while (r.Peek().Kind == Kind.Punct && r.Peek().Text == ".")
                {
                    r.Next();
                    name = r.Next().Text; // db.rp.measurement: the measurement is the last part
                }
                select.Measurements.Add(name);
            } while (r.TryPunct(","));
        }
        if (r.TryKeyword("WHERE"))
        {
            var where = r.TakeUntil(t => (t.Kind == Kind.Bare && ClauseKeywords.Contains(t.Text)) || (t.Kind == Kind.Punct && t.Text == ")"));
            select.WhereNames.AddRange(Names(where, allowKeywords: false));
        }
        if (r.TryKeyword("GROUP"))
        {
            r.ExpectKeyword("BY");
            do
            {
                var t = r.Next();
                if (t.IsKeyword("time") && r.Peek().Text == "(") { r.SkipParenthesised(); continue; }
                if (t.Kind == Kind.Punct && t.Text == "*") continue;
                if (t.Kind == Kind.Regex) throw new FormatException($"GROUP BY /{t.Text}/ is not understood by the checker");
                if (!t.IsIdentifier) throw new FormatException($"unexpected '{t.Text}' in GROUP BY");
                select.GroupByTags.Add(t.Text);
            } while (r.TryPunct(","));
        }
        // fill(), ORDER BY time, LIMIT/OFFSET/SLIMIT/SOFFSET n, tz(): no references.
        while (!r.AtEnd && !(r.Peek().Kind == Kind.Punct && r.Peek().Text == ")"))
        {
            var t = r.Next();
            if (t.IsKeyword("fill") || t.IsKeyword("tz")) { r.SkipParenthesised(); continue; }
            if (t.IsKeyword("ORDER")) { r.ExpectKeyword("BY"); r.Next(); if (r.PeekKeyword("ASC") || r.PeekKeyword("DESC")) r.Next(); continue; }
            if (t.IsKeyword("LIMIT") || t.IsKeyword("OFFSET") || t.IsKeyword("SLIMIT") || t.IsKeyword("SOFFSET")) { r.Next(); continue; }
            throw new FormatException($"unexpected '{t.Text}' in SELECT");
        }
        return select;
    }

    /// <summary>Field references in the select list, and the names of the columns it produces.</summary>
    private static void ReadSelectList(List<Token> tokens, Select select, CheckResult result)
    {
        foreach (var expression in SplitTopLevel(tokens))
        {
            for (var i = 0; i < expression.Count; i++)
            {
                var t = expression[i];
                if (t.Kind == Kind.Regex) throw new FormatException($"regex field selector /{t.Text}/ is not understood by the checker");
                if (!t.IsIdentifier) continue;
                var prev = i > 0 ? expression[i - 1] : null;
                var next = i + 1 < expression.Count ? expression[i + 1] : null;
                if (t.Kind == Kind.Bare && next is { Kind: Kind.Punct, Text: "(" }) continue; // function
                if (t.Kind == Kind.Bare && ExpressionKeywords.Contains(t.Text)) continue;
                if (prev is { Kind: Kind.Punct, Text: "::" }) continue;                      // ::field, ::tag
                if (prev is not null && prev.IsKeyword("AS")) continue;                      // alias
                select.SelectNames.Add(t.Text);
            }
            // Output column: the alias, else a plain field, else the outermost function's name.
            var asIndex = expression.FindLastIndex(t => t.IsKeyword("AS"));
            if (asIndex >= 0 && asIndex + 1 < expression.Count) select.OutputNames.Add(expression[asIndex + 1].Text);
            else if (expression.Count == 1 && expression[0].IsIdentifier) select.OutputNames.Add(expression[0].Text);
            else if (expression.Count > 1 && expression[0].Kind == Kind.Bare && expression[1].Text == "(") select.OutputNames.Add(expression[0].Text.ToLowerInvariant());
        }
    }

    private static void CheckSelect(Select select, CheckResult result)
    {
        if (select.Subquery is { } inner)
        {
            CheckSelect(inner, result);
            var available = new HashSet<string>(inner.OutputNames.Concat(inner.GroupByTags), StringComparer.Ordinal);
            foreach (var name in select.SelectNames.Concat(select.WhereNames).Where(n => n != "time"))
                if (!available.Contains(name))
                    result.Problems.Add($"'{name}' is not a column of the subquery (it has {string.Join(", ", available.Order())})");
            foreach (var tag in select.GroupByTags)
                if (!inner.GroupByTags.Contains(tag))
                    result.Problems.Add($"GROUP BY '{tag}' is not grouped by the subquery");
            return;
        }
        foreach (var m in select.Measurements)
        {
            result.Measurements.Add(m);
            if (!DataModel.Measurements.TryGetValue(m, out var schema))
            {
                result.Problems.Add($"measurement '{m}' is not defined by the data model");
                continue;
            }
            foreach (var name in select.SelectNames.Concat(select.WhereNames).Where(n => n != "time"))
            {
                result.Keys.Add((m, name));
                if (!schema.Has(name)) result.Problems.Add($"'{name}' is neither a field nor a tag of '{m}' in the data model");
            }
            foreach (var tag in select.GroupByTags)
            {
                result.Keys.Add((m, tag));
                if (!schema.Tags.Contains(tag)) result.Problems.Add($"GROUP BY '{tag}': not a tag of '{m}' in the data model");
            }
        }
    }

    private static void ParseShow(Reader r, CheckResult result)
    {
        r.ExpectKeyword("SHOW");
        var what = r.Next();
        if (what.IsKeyword("MEASUREMENTS")) { CheckTagWhere(r, [], result); return; }
        if (!(what.IsKeyword("TAG") || what.IsKeyword("FIELD")))
            throw new FormatException($"SHOW {what.Text} is not understood by the checker");
        var second = r.Next();
        var measurements = new List<string>();
        if (r.TryKeyword("ON")) r.Next();
        if (r.TryKeyword("FROM"))
        {
            do
            {
                var m = r.Next();
                if (m.Kind == Kind.Regex) throw new FormatException($"regex source /{m.Text}/ is not understood by the checker");
                measurements.Add(m.Text);
            } while (r.TryPunct(","));
        }
        foreach (var m in measurements)
        {
            result.Measurements.Add(m);
            if (!DataModel.Measurements.ContainsKey(m)) result.Problems.Add($"measurement '{m}' is not defined by the data model");
        }
        var schemas = measurements.Count > 0
            ? measurements.Where(DataModel.Measurements.ContainsKey).Select(m => DataModel.Measurements[m]).ToList()
            : DataModel.Measurements.Values.ToList();
        if (what.IsKeyword("TAG") && second.IsKeyword("VALUES"))
        {
            r.ExpectKeyword("WITH");
            r.ExpectKeyword("KEY");
            var keys = new List<string>();
            if (r.TryPunct("=")) keys.Add(r.Next().Text);
            else if (r.TryKeyword("IN"))
            {
                r.ExpectPunct("(");
                do keys.Add(r.Next().Text); while (r.TryPunct(","));
                r.ExpectPunct(")");
            }
            else throw new FormatException("SHOW TAG VALUES WITH KEY: only '= \"key\"' and 'IN (…)' are understood by the checker");
            foreach (var key in keys)
            {
                var owners = schemas.Where(s => s.Tags.Contains(key)).ToList();
                if (measurements.Count > 0 ? owners.Count != schemas.Count : owners.Count == 0)
                    result.Problems.Add($"tag key '{key}' is not a tag of {(measurements.Count > 0 ? string.Join(", ", measurements) : "any measurement")} in the data model");
            }
        }
        else if (!(second.IsKeyword("KEYS")))
        {
            throw new FormatException($"SHOW {what.Text} {second.Text} is not understood by the checker");
        }
        CheckTagWhere(r, schemas, result);
    }

    private static void CheckTagWhere(Reader r, IReadOnlyList<MeasurementSchema> schemas, CheckResult result)
    {
        if (r.TryKeyword("WHERE"))
        {
            var where = r.TakeUntil(t => t.IsKeyword("LIMIT") || t.IsKeyword("OFFSET"));
            foreach (var name in Names(where, allowKeywords: false).Where(n => n != "time"))
            {
                var all = schemas.Count > 0 ? schemas : DataModel.Measurements.Values.ToList();
                if (!all.Any(s => s.Tags.Contains(name)))
                    result.Problems.Add($"'{name}' in SHOW … WHERE is not a tag in the data model");
            }
        }
        while (!r.AtEnd) r.Next(); // LIMIT/OFFSET n
    }

    /// <summary>Identifiers in an expression that are not function names, keywords or casts.</summary>
    private static IEnumerable<string> Names(List<Token> tokens, bool allowKeywords)
    {
        for (var i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            if (!t.IsIdentifier) continue;
            var next = i + 1 < tokens.Count ? tokens[i + 1] : null;
            var prev = i > 0 ? tokens[i - 1] : null;
            if (t.Kind == Kind.Bare && next is { Kind: Kind.Punct, Text: "(" }) continue;
            if (t.Kind == Kind.Bare && !allowKeywords && ExpressionKeywords.Contains(t.Text)) continue;
            if (prev is { Kind: Kind.Punct, Text: "::" }) continue;
            yield return t.Text;
        }
    }

    // ---------------------------------------------------------------- tokens

    private enum Kind { Bare, Quoted, String, Regex, Number, Punct }

    private sealed record Token(Kind Kind, string Text)
    {
        public bool IsIdentifier => Kind is Kind.Bare or Kind.Quoted;
        public bool IsKeyword(string keyword) => Kind == Kind.Bare && string.Equals(Text, keyword, StringComparison.OrdinalIgnoreCase);
    }

    private static List<Token> Tokenize(string q)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < q.Length)
        {
            var c = q[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == '-' && i + 1 < q.Length && q[i + 1] == '-') { while (i < q.Length && q[i] != '\n') i++; continue; } // -- comment
            if (c is '"' or '\'')
            {
                var sb = new StringBuilder();
                i++;
                while (true)
                {
                    if (i >= q.Length) throw new FormatException($"unterminated {(c == '"' ? "identifier" : "string")} in: {q}");
                    if (q[i] == '\\' && i + 1 < q.Length) { sb.Append(q[i + 1]); i += 2; continue; }
                    if (q[i] == c) { i++; break; }
                    sb.Append(q[i++]);
                }
                tokens.Add(new Token(c == '"' ? Kind.Quoted : Kind.String, sb.ToString()));
                continue;
            }
            if (c == '/' && StartsRegex(tokens))
            {
                var start = ++i;
                while (i < q.Length && q[i] != '/') i += q[i] == '\\' ? 2 : 1;
                if (i >= q.Length) throw new FormatException($"unterminated regex in: {q}");
                tokens.Add(new Token(Kind.Regex, q[start..i]));
                i++;
                continue;
            }
            if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < q.Length && (char.IsLetterOrDigit(q[i]) || q[i] == '_')) i++;
                tokens.Add(new Token(Kind.Bare, q[start..i]));
                continue;
            }
            if (char.IsDigit(c) || (c == '.' && i + 1 < q.Length && char.IsDigit(q[i + 1])))
            {
                // Numbers and durations (10s, 1700000000000ms, 8h, 1.5e3).
                var start = i;
                while (i < q.Length && (char.IsLetterOrDigit(q[i]) || q[i] == '.' ||
                       (q[i] is '+' or '-' && (q[i - 1] is 'e' or 'E') && char.IsDigit(q[start])))) i++;
                var text = q[start..i];
                if (!char.IsDigit(text[^1]) && !IsDurationUnit(text)) throw new FormatException($"cannot read number '{text}' in: {q}");
                tokens.Add(new Token(Kind.Number, text));
                continue;
            }
            var two = i + 1 < q.Length ? q.Substring(i, 2) : "";
            if (two is "=~" or "!~" or "!=" or "<>" or "<=" or ">=" or "::")
            {
                tokens.Add(new Token(Kind.Punct, two));
                i += 2;
                continue;
            }
            if ("(),;*+-/%=<>.".Contains(c))
            {
                tokens.Add(new Token(Kind.Punct, c.ToString()));
                i++;
                continue;
            }
            throw new FormatException($"unexpected character '{c}' at {i} in: {q}");
        }
        return tokens;
    }

    private static bool IsDurationUnit(string text)
    {
        var unit = new string(text.SkipWhile(ch => char.IsDigit(ch)).ToArray());
        return unit is "ns" or "u" or "µ" or "ms" or "s" or "m" or "h" or "d" or "w";
    }

    /// <summary>A slash opens a regex after =~, !~, FROM, WITH KEY =~, or as an argument/field start; otherwise it divides.</summary>
    private static bool StartsRegex(List<Token> before)
    {
        if (before.Count == 0) return false;
        var prev = before[^1];
        if (prev.Kind == Kind.Punct) return prev.Text is "=~" or "!~" or "(" or ",";
        return prev.IsKeyword("FROM") || prev.IsKeyword("SELECT");
    }

    private static IEnumerable<List<Token>> SplitStatements(List<Token> tokens)
    {
        var current = new List<Token>();
        foreach (var t in tokens)
        {
            if (t.Kind == Kind.Punct && t.Text == ";") { yield return current; current = []; }
            else current.Add(t);
        }
        yield return current;
    }

    private static IEnumerable<List<Token>> SplitTopLevel(List<Token> tokens)
    {
        var current = new List<Token>();
        var depth = 0;
        foreach (var t in tokens)
        {
            if (t.Kind == Kind.Punct && t.Text == "(") depth++;
            if (t.Kind == Kind.Punct && t.Text == ")") depth--;
            if (depth == 0 && t.Kind == Kind.Punct && t.Text == ",") { yield return current; current = []; continue; }
            current.Add(t);
        }
        if (current.Count > 0) yield return current;
    }

    private sealed class Reader(List<Token> tokens)
    {
        private int _pos;
        private static readonly Token End = new(Kind.Punct, "<end>");

        public bool AtEnd => _pos >= tokens.Count;
        public Token Peek() => AtEnd ? End : tokens[_pos];
        public Token Next() => AtEnd ? throw new FormatException("query ends too early") : tokens[_pos++];
        public bool PeekKeyword(string k) => Peek().IsKeyword(k);

        public void ExpectKeyword(string k)
        {
            if (!Next().IsKeyword(k)) throw new FormatException($"expected {k} at token {_pos}");
        }

        public void ExpectPunct(string p)
        {
            var t = Next();
            if (t.Kind != Kind.Punct || t.Text != p) throw new FormatException($"expected '{p}', found '{t.Text}'");
        }

        public bool TryKeyword(string k)
        {
            if (!PeekKeyword(k)) return false;
            _pos++;
            return true;
        }

        public bool TryPunct(string p)
        {
            if (Peek().Kind != Kind.Punct || Peek().Text != p || AtEnd) return false;
            _pos++;
            return true;
        }

        /// <summary>Tokens up to (not including) the first one at parenthesis depth 0 that matches; a ')' closing an enclosing level stops it too.</summary>
        public List<Token> TakeUntil(Func<Token, bool> stop)
        {
            var list = new List<Token>();
            var depth = 0;
            while (!AtEnd)
            {
                var t = Peek();
                if (depth == 0 && stop(t)) break;
                if (t.Kind == Kind.Punct && t.Text == "(") depth++;
                if (t.Kind == Kind.Punct && t.Text == ")") { if (depth == 0) break; depth--; }
                list.Add(Next());
            }
            return list;
        }

        public void SkipParenthesised()
        {
            ExpectPunct("(");
            var depth = 1;
            while (depth > 0)
            {
                var t = Next();
                if (t.Kind == Kind.Punct && t.Text == "(") depth++;
                if (t.Kind == Kind.Punct && t.Text == ")") depth--;
            }
        }
    }
}
