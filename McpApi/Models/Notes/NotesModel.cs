using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using McpApi.Dispatching;
using McpApi.Events;
using McpApi.Storage;
using Microsoft.Extensions.Options;

namespace McpApi.Models.Notes;

/// <summary>
/// "AI Sticky Notes", the seed's MCP server: notes kept in named notebooks.
/// Context: the notebook, as a string or <c>{"notebook": ...}</c> (default <c>default</c>).
/// </summary>
public sealed class NotesModel : IModelHandler
{
    public const string DefaultNotebook = "default";

    private readonly INoteStore _store;
    private readonly IEventPublisher _events;
    private readonly NotesOptions _options;

    public NotesModel(INoteStore store, IEventPublisher events, IOptions<NotesOptions> options)
    {
        _store = store;
        _events = events;
        _options = options.Value;
        Actions =
        [
            ModelAction.For<NotebookContext, NoteText, Note>("add",
                $"Adds a note (the data: non-empty text, at most Notes:MaxLength = {_options.MaxLength} characters) and returns it with its id.", AddAsync)
            with
            {
                ExampleContext = new NotebookContext("default"),
                ExampleData = new NoteText("Buy milk"),
            },
            ModelAction.For<NotebookContext, NotePage, NoteList>("list",
                $"Lists the notebook's notes, oldest first, {ModelInput.DefaultPageSize} per page; pass nextAfter back as after for the next page.", ListAsync)
            with
            {
                ExampleContext = new NotebookContext("default"),
                ExampleData = new NotePage(Limit: 10),
                ReadOnly = true,
                Idempotent = true,
            },
            ModelAction.For<NotebookContext, NoData, Note?>("latest", "Returns the most recent note, or null when the notebook is empty.", LatestAsync)
            with
            {
                ExampleContext = new NotebookContext("default"),
                ReadOnly = true,
                Idempotent = true,
            },
            ModelAction.For<NotebookContext, NoteId, NoteDeleted>("delete", "Deletes a note by id.", DeleteAsync)
            with
            {
                ExampleContext = new NotebookContext("default"),
                ExampleData = new NoteId(1),
                Destructive = true,
                Idempotent = true,
            },
            ModelAction.For<NotebookContext, NoData, NoteSummaryPrompt>("summary_prompt",
                $"Returns a prompt asking an AI to summarize the notebook's notes, the newest {_options.SummaryMaxNotes} at most (Notes:SummaryMaxNotes), oldest first (the seed's note_summary_prompt).",
                SummaryPromptAsync)
            with
            {
                ExampleContext = new NotebookContext("default"),
                ReadOnly = true,
                Idempotent = true,
            },
            ModelAction.For<NoContext, NoData, NotebookList>("notebooks", "Lists the notebooks that have notes, with their note count and when the newest was added.", NotebooksAsync)
            with
            {
                ReadOnly = true,
                Idempotent = true,
            },
        ];
    }

    public string Name => "notes";

    public string Description => "AI Sticky Notes: add, list, read the latest, delete and summarize notes in named notebooks, list the notebooks (context: the notebook).";

    public IReadOnlyList<ModelAction> Actions { get; }

    private async ValueTask<ModelResult<Note>> AddAsync(ActionCall<NotebookContext, NoteText> call, CancellationToken ct)
    {
        var notebook = call.Context.Notebook;
        var text = call.Data.Text;
        if (string.IsNullOrWhiteSpace(text))
            throw RequestError.Invalid("data", "the note text is blank; send the note as a non-empty string, e.g. \"data\": \"Buy milk\".");
        if (text.Length > _options.MaxLength)
            throw RequestError.Invalid("data", $"the note is {text.Length} characters long; notes may have at most {_options.MaxLength} (Notes:MaxLength). Shorten it or split it into several notes.");

        var note = await _store.AddAsync(notebook, text, added =>
            _events.Publish(new ModelEvent("notes.added", $"notes:{notebook}", added, added.Id)), ct);
        return new($"Note {note.Id} added to notebook '{notebook}'.", note);
    }

    private async ValueTask<ModelResult<NoteList>> ListAsync(ActionCall<NotebookContext, NotePage> call, CancellationToken ct)
    {
        var notebook = call.Context.Notebook;
        var (limit, after) = call.Data;
        var notes = await _store.ListAsync(notebook, after, limit + 1, ct);
        long? nextAfter = notes.Count > limit ? notes[limit - 1].Id : null;
        var page = notes.Take(limit).ToArray();
        return new($"{page.Length} note(s) from notebook '{notebook}'{(nextAfter is null ? "" : $"; more after id {nextAfter}")}.",
            new NoteList(notebook, page, nextAfter));
    }

    private async ValueTask<ModelResult<Note?>> LatestAsync(ActionCall<NotebookContext, NoData> call, CancellationToken ct)
    {
        var notebook = call.Context.Notebook;
        var note = await _store.LatestAsync(notebook, ct);
        return note is null
            ? new($"No notes yet in notebook '{notebook}'.", null)
            : new($"The latest note in notebook '{notebook}'.", note);
    }

    private async ValueTask<ModelResult<NoteDeleted>> DeleteAsync(ActionCall<NotebookContext, NoteId> call, CancellationToken ct)
    {
        var notebook = call.Context.Notebook;
        var id = call.Data.Id;
        if (!await _store.DeleteAsync(notebook, id, ct))
            throw RequestError.NotFound("note_not_found", $"Notebook '{notebook}' has no note {id}. The action 'list' shows its notes and their ids.");
        return new($"Note {id} deleted from notebook '{notebook}'.", new NoteDeleted(id));
    }

    private async ValueTask<ModelResult<NoteSummaryPrompt>> SummaryPromptAsync(ActionCall<NotebookContext, NoData> call, CancellationToken ct)
    {
        var notebook = call.Context.Notebook;
        var notes = await _store.NewestAsync(notebook, _options.SummaryMaxNotes, ct);
        var prompt = notes.Count == 0
            ? "There are no notes yet."
            : "Summarize the current notes: " + string.Join("\n", notes.Select(n => n.Text));
        var which = notes.Count < _options.SummaryMaxNotes
            ? $"the {notes.Count} note(s)"
            : $"the newest {notes.Count} notes (at most Notes:SummaryMaxNotes = {_options.SummaryMaxNotes})";
        return new($"A prompt to summarize {which} of notebook '{notebook}'.",
            new NoteSummaryPrompt(notebook, notes.Count, prompt));
    }

    private async ValueTask<ModelResult<NotebookList>> NotebooksAsync(ActionCall<NoContext, NoData> call, CancellationToken ct)
    {
        var notebooks = await _store.NotebooksAsync(ct);
        return new($"{notebooks.Count} notebook(s) with notes.", new NotebookList(notebooks));
    }

    public sealed record NotebookList(IReadOnlyList<NotebookInfo> Notebooks);

    public sealed record NoteList(string Notebook, IReadOnlyList<Note> Notes, long? NextAfter);

    public sealed record NoteSummaryPrompt(string Notebook, int Count, string Prompt);

    public sealed record NoteDeleted(long Deleted);

    /// <summary>The notebook, as a plain string or <c>{"notebook": ...}</c>.</summary>
    [PlainString(nameof(Notebook))]
    public sealed record NotebookContext([Name, ContextScope, Description("The notebook (default: default).")] string Notebook = DefaultNotebook);

    /// <summary>The note text, as a plain string or <c>{"text": ...}</c>.</summary>
    [PlainString(nameof(Text))]
    public sealed record NoteText([MinLength(1), Description("The note's text.")] string Text);

    public sealed record NotePage(
        [Range(1, ModelInput.MaxPageSize)] int Limit = ModelInput.DefaultPageSize,
        [Range(0, long.MaxValue), Description("Only notes with a larger id.")] long After = 0);

    public sealed record NoteId([Range(1, long.MaxValue)] long Id);
}
