using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace McpApi.Storage.PostgreSql;

/// <summary>
/// The ASP.NET Core Data Protection key ring in the <c>data_protection_keys</c> table, so every replica protects and
/// unprotects with the same keys when PostgreSQL is the only shared service. <see cref="IXmlRepository"/> is the
/// framework's documented extension point for key storage; the official EF Core store would bring Entity Framework into
/// a project that talks to PostgreSQL through Npgsql alone. The framework calls it rarely (key ring refresh, a new key
/// every 90 days), synchronously.
/// </summary>
internal sealed class PostgreSqlXmlRepository(PostgreSqlDatabase database, TimeProvider clock) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        database.EnsureReadyAsync().GetAwaiter().GetResult();
        using var connection = database.DataSource.OpenConnection();
        using var command = new NpgsqlCommand("SELECT xml FROM data_protection_keys ORDER BY created_at, name;", connection);
        using var reader = command.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read())
            elements.Add(XElement.Parse(reader.GetString(0)));
        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        database.EnsureReadyAsync().GetAwaiter().GetResult();
        using var connection = database.DataSource.OpenConnection();
        using var command = connection.Command(
            "INSERT INTO data_protection_keys (name, xml, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING;",
            null, friendlyName, element.ToString(SaveOptions.DisableFormatting), PostgreSqlCommands.Now(clock));
        command.ExecuteNonQuery();
    }
}
