<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name />
    <message>
        <location filename="../../ui/navigation.py" line="36" />
        <source>Navigation</source>
        <comment>Overview</comment>
        <extracomment>Page numbers (indices in the main window's page stack). The first four keep their numbers from before the modules came. The module screens (ui/workspace.py). Record list pages: page number -&gt; record type.</extracomment>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="37" />
        <source>Navigation</source>
        <comment>Customers</comment>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="38" />
        <source>Navigation</source>
        <comment>Sales</comment>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="39" />
        <source>Navigation</source>
        <comment>Marketing</comment>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="40" />
        <source>Navigation</source>
        <comment>Service</comment>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="41" />
        <location filename="../../ui/navigation.py" line="55" />
        <source>Navigation</source>
        <comment>Activities</comment>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="42" />
        <source>Navigation</source>
        <comment>Sync</comment>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="49" />
        <source>Navigation</source>
        <comment>Contacts</comment>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="50" />
        <source>Navigation</source>
        <comment>Accounts</comment>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="51" />
        <source>Navigation</source>
        <comment>Leads</comment>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="52" />
        <source>Navigation</source>
        <comment>Opportunities</comment>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="53" />
        <source>Navigation</source>
        <comment>Campaigns</comment>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="54" />
        <source>Navigation</source>
        <comment>Cases</comment>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="56" />
        <source>Navigation</source>
        <comment>Pending changes</comment>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="57" />
        <source>Navigation</source>
        <comment>Conflicts</comment>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="58" />
        <source>Navigation</source>
        <comment>Dashboard</comment>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="59" />
        <source>Navigation</source>
        <comment>My day</comment>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="60" />
        <source>Navigation</source>
        <comment>Pipeline</comment>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="61" />
        <source>Navigation</source>
        <comment>Case queue</comment>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>App</name>
    <message>
        <location filename="../../ui/app.py" line="82" />
        <source>Something went wrong</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/app.py" line="149" />
        <source>CRM</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>CampaignListPage</name>
    <message>
        <location filename="../../ui/marketing/campaign_members.py" line="205" />
        <source>Members…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/marketing/campaign_members.py" line="207" />
        <source>The campaign's leads and contacts and their responses</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>CampaignMembersDialog</name>
    <message>
        <location filename="../../ui/marketing/campaign_members.py" line="38" />
        <source>Campaign members</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/marketing/campaign_members.py" line="50" />
        <source>Name</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/marketing/campaign_members.py" line="50" />
        <source>Kind</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/marketing/campaign_members.py" line="50" />
        <source>Response</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/marketing/campaign_members.py" line="50" />
        <source>Responded on</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/marketing/campaign_members.py" line="60" />
        <source>Add</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/marketing/campaign_members.py" line="72" />
        <source>Set response</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/marketing/campaign_members.py" line="75" />
        <source>Remove from campaign</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/marketing/campaign_members.py" line="79" />
        <source>Selected member:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/marketing/campaign_members.py" line="161" />
        <source>Pick a lead or a contact from the list</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/marketing/campaign_members.py" line="165" />
        <source>“%1” is already a member</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>Cards</name>
    <message>
        <location filename="../../ui/pages/cards.py" line="14" />
        <source>(empty)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/cards.py" line="16" />
        <source>Yes</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/cards.py" line="18" />
        <source>No</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>CaseQueue</name>
    <message>
        <location filename="../../ui/support/case_queue.py" line="171" />
        <source>%1 (overdue)</source>
        <extracomment>Seconds after which the queue shown again reloads even with no data change. (total, overdue) of the whole queue under the current filter.</extracomment>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>CaseQueuePage</name>
    <message>
        <location filename="../../ui/support/case_queue.py" line="201" />
        <source>Case queue</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/support/case_queue.py" line="205" />
        <source>All open</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/support/case_queue.py" line="210" />
        <source>Any priority</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/support/case_queue.py" line="215" />
        <source>Everyone</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/support/case_queue.py" line="216" />
        <source>Overdue only</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/support/case_queue.py" line="221" />
        <source>New case…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/support/case_queue.py" line="224" />
        <source>Open</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/support/case_queue.py" line="233" />
        <source>Status:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/support/case_queue.py" line="233" />
        <source>Priority:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/support/case_queue.py" line="234" />
        <source>Owner:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/support/case_queue.py" line="256" />
        <source>No cases match.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/support/case_queue.py" line="278" />
        <source>Me</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../../ui/support/case_queue.py" line="309" />
        <source>%n case(s)</source>
        <translation>
            <numerusform>%n case</numerusform>
            <numerusform>%n cases</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/support/case_queue.py" line="311" />
        <source>%n overdue</source>
        <translation>
            <numerusform>%n overdue</numerusform>
            <numerusform>%n overdue</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ConfigTable</name>
    <message>
        <location filename="../../ui/dialogs/setup.py" line="76" />
        <source>New…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/setup.py" line="78" />
        <source>Edit…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/setup.py" line="80" />
        <location filename="../../ui/dialogs/setup.py" line="146" />
        <location filename="../../ui/dialogs/setup.py" line="148" />
        <source>Delete</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/setup.py" line="147" />
        <source>Delete “%1”? Every user receives the change at their next sync.</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>ConflictRulesDialog</name>
    <message>
        <location filename="../../ui/dialogs/conflict_rules.py" line="26" />
        <source>Conflict rules</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/conflict_rules.py" line="28" />
        <source>Short text</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/conflict_rules.py" line="28" />
        <source>Long text (notes)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/conflict_rules.py" line="29" />
        <source>Email</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/conflict_rules.py" line="29" />
        <source>Phone</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/conflict_rules.py" line="29" />
        <source>Web address</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/conflict_rules.py" line="30" />
        <source>Links (account, owner)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/conflict_rules.py" line="30" />
        <source>Yes / no</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/conflict_rules.py" line="31" />
        <source>Whole numbers</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/conflict_rules.py" line="31" />
        <source>Amounts</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/conflict_rules.py" line="31" />
        <source>Dates</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/conflict_rules.py" line="32" />
        <source>Choices</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/conflict_rules.py" line="35" />
        <source>The later edit wins</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/conflict_rules.py" line="36" />
        <source>The server's value wins</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/conflict_rules.py" line="37" />
        <source>My value wins</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/conflict_rules.py" line="40" />
        <source>When the same field was changed here and elsewhere before a sync, this decides which value the record keeps. The other value always waits in Conflicts, where you can bring it back. Tags never conflict: additions and removals from both sides are kept.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/conflict_rules.py" line="57" />
        <source>The edit brings the record back</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/conflict_rules.py" line="58" />
        <source>The delete stands</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/conflict_rules.py" line="60" />
        <source>Edited on one side, deleted on the other:</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>ConflictsPage</name>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="40" />
        <source>Conflicts</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="50" />
        <source>No conflicts.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="126" />
        <source>someone</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="42" />
        <source>Someone else changed the same field while you were editing, or a record you changed was deleted, merged or moved elsewhere. Nothing was thrown away: choose what to keep.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="46" />
        <source>Rules…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="48" />
        <source>Choose which value wins a conflict, per type of field</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="100" />
        <source>Whole record</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="130" />
        <source>Other side: %1 · found %2</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="138" />
        <source>Mine</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="139" />
        <source>Theirs (%1)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="145" />
        <location filename="../../ui/pages/conflicts.py" line="147" />
        <source>applied</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="119" />
        <location filename="../../ui/pages/conflicts.py" line="120" />
        <source>Keep mine</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="83" />
        <source>Edited here, deleted elsewhere</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="84" />
        <source>Deleted here, edited elsewhere</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="85" />
        <source>Reassigned: you no longer have access; your unsynced edits are kept here</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="86" />
        <source>Merged into another record elsewhere; your edits were carried over</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="89" />
        <source>Reassigned before your delete reached the server: you no longer have access, so it was not deleted and stays with its new owner</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="93" />
        <source>Deleted elsewhere, brought back because you linked records to it offline</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="96" />
        <source>%1: the linked record no longer exists on the server (merged into a record deleted since); kept without the link</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="98" />
        <source>%1: the linked record was deleted elsewhere; kept without the link</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="105" />
        <source>Keep the record</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="105" />
        <location filename="../../ui/pages/conflicts.py" line="107" />
        <source>Delete it</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="107" />
        <source>Keep their version</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="109" />
        <source>Keep it</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="109" />
        <source>Delete it after all</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="113" />
        <source>Bring it back and link</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="113" />
        <source>Leave unlinked</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="111" />
        <location filename="../../ui/pages/conflicts.py" line="115" />
        <source>OK</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="117" />
        <source>Keep my copy as a new record</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="117" />
        <source>Discard my edits</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="119" />
        <location filename="../../ui/pages/conflicts.py" line="120" />
        <source>Keep theirs</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="154" />
        <source>Deleted</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="183" />
        <source>Keep both</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="185" />
        <source>Keep both versions, mine first, one after the other</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="189" />
        <source>Edit…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="208" />
        <source>Merge values</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/conflicts.py" line="209" />
        <source>Value for %1:</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>ConvertLeadDialog</name>
    <message>
        <location filename="../../ui/sales/convert_lead.py" line="42" />
        <source>Convert lead</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/sales/convert_lead.py" line="51" />
        <source>Create a new account</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/sales/convert_lead.py" line="53" />
        <source>Add to an existing account</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/sales/convert_lead.py" line="64" />
        <source>Create an opportunity</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/sales/convert_lead.py" line="76" />
        <source>YYYY-MM-DD</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/sales/convert_lead.py" line="79" />
        <source>Name:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/sales/convert_lead.py" line="80" />
        <source>Amount:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/sales/convert_lead.py" line="81" />
        <source>Currency:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/sales/convert_lead.py" line="82" />
        <source>Expected close date:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/sales/convert_lead.py" line="91" />
        <source>Convert</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/sales/convert_lead.py" line="113" />
        <source>“%1” becomes a contact of the account below. The lead keeps a link to what it became.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/sales/convert_lead.py" line="116" />
        <source>Create a new account “%1”</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/sales/convert_lead.py" line="117" />
        <source>%1 deal</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/sales/convert_lead.py" line="119" />
        <source>This lead was already converted.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/sales/convert_lead.py" line="140" />
        <source>Account: pick an account from the list</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/sales/convert_lead.py" line="168" />
        <source>Account</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/sales/convert_lead.py" line="168" />
        <source>Contact</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/sales/convert_lead.py" line="169" />
        <source>Opportunity</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/sales/convert_lead.py" line="169" />
        <source>Lead</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>DashboardPage</name>
    <message>
        <location filename="../../ui/dashboard/page.py" line="154" />
        <source>Dashboard</source>
        <extracomment>Where a click leads: (target, parameters). Targets: "pipeline" (params: stage), "cases" (priority, overdue), "my_day", "list" (record_type and the list's field filters: the record list page opens filtered). Seconds after which a page shown again reloads even with no data change. (target, parameters): open the list behind a figure.</extracomment>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dashboard/page.py" line="241" />
        <source>Open pipeline by stage</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dashboard/page.py" line="249" />
        <source>Weighted (amount × probability): %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dashboard/page.py" line="255" />
        <source>Weighted pipeline</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dashboard/page.py" line="257" />
        <source>No pipeline stages yet: they arrive with the first sync.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dashboard/page.py" line="261" />
        <source>Won</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dashboard/page.py" line="262" />
        <source>This month</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dashboard/page.py" line="263" />
        <source>This quarter</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../../ui/dashboard/page.py" line="267" />
        <source>%1: %n deal(s)</source>
        <translation>
            <numerusform>%1: %n deal</numerusform>
            <numerusform>%1: %n deals</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/dashboard/page.py" line="272" />
        <source>Open cases</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dashboard/page.py" line="273" />
        <location filename="../../ui/dashboard/page.py" line="284" />
        <source>Overdue</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dashboard/page.py" line="282" />
        <source>My activities</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dashboard/page.py" line="283" />
        <source>Due today</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dashboard/page.py" line="289" />
        <source>New leads by source</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dashboard/page.py" line="292" />
        <source>(no source)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dashboard/page.py" line="296" />
        <source>No new leads.</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>FilePage</name>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="141" />
        <source>Choose a file</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="142" />
        <source>CSV or text files, Excel workbooks (.xlsx) and vCard address books (.vcf).</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="145" />
        <source>Path of the file to import</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="147" />
        <source>Choose…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="152" />
        <source>Detect automatically</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="169" />
        <source>File:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="170" />
        <source>Text encoding:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="180" />
        <source>Import from</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="206" />
        <source>Text (CSV)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="206" />
        <source>Excel workbook</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="206" />
        <source>vCard</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../../ui/dialogs/import_wizard.py" line="207" />
        <source>%1 with %n row(s)</source>
        <translation>
            <numerusform>%1 with %n row</numerusform>
            <numerusform>%1 with %n rows</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="210" />
        <source>worksheet “%1”</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="212" />
        <source>encoding %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="214" />
        <source>tab</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="214" />
        <source>comma</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="214" />
        <source>semicolon</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="215" />
        <source>separated by %1</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>GlobalSearchDialog</name>
    <message>
        <location filename="../../ui/dialogs/global_search.py" line="45" />
        <source>Search everything</source>
        <extracomment>Milliseconds of quiet typing before a search runs. (record type, record id) the user chose to open. A search result was shown (tests wait for it).</extracomment>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/global_search.py" line="56" />
        <source>Search all records: names, e-mails, phones, cities…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/global_search.py" line="111" />
        <source>Searching…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/global_search.py" line="145" />
        <source>Enter opens the selected record</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/global_search.py" line="147" />
        <source>No records match “%1”</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>ImportPage</name>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="582" />
        <source>Importing</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="610" />
        <source>Imported %1 %2.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="612" />
        <source>Created %1 %2 by name.</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../../ui/dialogs/import_wizard.py" line="615" />
        <source>Merged %n row(s) into existing records.</source>
        <translation>
            <numerusform>Merged %n row into existing records.</numerusform>
            <numerusform>Merged %n rows into existing records.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/dialogs/import_wizard.py" line="617" />
        <source>Skipped %n duplicate(s).</source>
        <translation>
            <numerusform>Skipped %n duplicate.</numerusform>
            <numerusform>Skipped %n duplicates.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/dialogs/import_wizard.py" line="619" />
        <source>Left out %n row(s) with problems.</source>
        <translation>
            <numerusform>Left out %n row with problems.</numerusform>
            <numerusform>Left out %n rows with problems.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="620" />
        <source>They are sent to the server at the next sync.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="635" />
        <location filename="../../ui/dialogs/import_wizard.py" line="638" />
        <source>Nothing was imported.</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>ImportWizard</name>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="665" />
        <source>Import %1</source>
        <extracomment>The type's custom fields (mapping targets), loaded by the worker; None until then.</extracomment>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="674" />
        <source>Close</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="675" />
        <source>Import</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="699" />
        <source>Cancelling… nothing will be imported.</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>LeadListPage</name>
    <message>
        <location filename="../../ui/sales/lead_page.py" line="18" />
        <source>Convert…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/sales/lead_page.py" line="20" />
        <source>Turn the lead into an account, a contact and an opportunity</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main_window.py" line="144" />
        <source>&amp;File</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="145" />
        <source>Sign in…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="147" />
        <location filename="../../ui/main_window.py" line="353" />
        <source>Sign out</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="150" />
        <source>Sync now</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="153" />
        <location filename="../../ui/main_window.py" line="380" />
        <source>Quit</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="159" />
        <source>Import into this list…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="162" />
        <source>Export this list as CSV…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="168" />
        <source>Setup: stages, service levels, custom fields…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="180" />
        <source>Find</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="210" />
        <source>CRM</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="293" />
        <source>Sync did not finish</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="294" />
        <source>The sync did not finish, so your changes are still only on this computer.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="301" />
        <source>Sign in again</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="302" />
        <source>Your session has ended. Sign in again to keep syncing.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="334" />
        <source>Sign in</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="335" />
        <source>Signing in is not available in this build.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="346" />
        <source>Signed in as %1</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../../ui/main_window.py" line="354" />
        <source>%n change(s) are not synced yet. They stay on this computer and are sent when you sign in again.</source>
        <translation>
            <numerusform>%n change is not synced yet. They stay on this computer and are sent when you sign in again.</numerusform>
            <numerusform>%n changes are not synced yet. They stay on this computer and are sent when you sign in again.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="356" />
        <location filename="../../ui/main_window.py" line="383" />
        <source>Sync first</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="356" />
        <source>Sign out anyway</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../../ui/main_window.py" line="381" />
        <source>%n change(s) are not synced yet. They are kept on this computer and sent at the next sync.</source>
        <translation>
            <numerusform>%n change is not synced yet. They are kept on this computer and sent at the next sync.</numerusform>
            <numerusform>%n changes are not synced yet. They are kept on this computer and sent at the next sync.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="383" />
        <source>Quit anyway</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>MappingPage</name>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="236" />
        <source>Match the columns</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="237" />
        <source>Choose the field each column of the file goes into. Columns set to “Ignore” are left out.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="241" />
        <source>Column in the file</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="241" />
        <source>Example values</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="242" />
        <source>Goes into</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="286" />
        <source>— Ignore —</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="299" />
        <source>Names of %1 in the file:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="300" />
        <source>Link to existing ones, create the missing ones</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="301" />
        <source>Link to existing ones only (a name not found is a problem)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="324" />
        <source>Two columns go into “%1”: choose one of them.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="328" />
        <source>Choose a field for at least one column.</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>MergeRecordsDialog</name>
    <message>
        <location filename="../../ui/dialogs/merge_records.py" line="73" />
        <source>Merge %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/merge_records.py" line="83" />
        <source>Choose the record to keep and, for each field where the two differ, the value to keep. The other record is merged into it: its links (contacts, deals, activities…) move to the kept record, and anyone who opens the old one finds the kept one. The merge is synced to everyone.</source>
        <extracomment>field name -&gt; its choice group (only fields where the records differ)</extracomment>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/merge_records.py" line="96" />
        <source>Merge</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/merge_records.py" line="117" />
        <source>Keep “%1”</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/merge_records.py" line="117" />
        <source>(untitled)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/merge_records.py" line="145" />
        <source>Both</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/merge_records.py" line="163" />
        <source>The two records have the same values.</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>MyDay</name>
    <message>
        <location filename="../../ui/activities/my_day.py" line="71" />
        <source>Today</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>MyDayPage</name>
    <message>
        <location filename="../../ui/activities/my_day.py" line="220" />
        <source>My day</source>
        <extracomment>(activity id, done) — the user ticked or unticked an item. (record type, id): open a record's detail. (overdue count, today's open count) for the navigation badge.</extracomment>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/activities/my_day.py" line="224" />
        <source>Mark done</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/activities/my_day.py" line="227" />
        <source>Open related record</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/activities/my_day.py" line="230" />
        <source>Follow-up…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/activities/my_day.py" line="233" />
        <source>New activity…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/activities/my_day.py" line="244" />
        <source>Overdue</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/activities/my_day.py" line="244" />
        <source>Nothing overdue.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/activities/my_day.py" line="245" />
        <source>Today</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/activities/my_day.py" line="245" />
        <source>Nothing planned for today.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/activities/my_day.py" line="389" />
        <source>Follow-up: %1</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>PendingPage</name>
    <message>
        <location filename="../../ui/pages/pending.py" line="33" />
        <source>Changes not yet synced</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/pending.py" line="35" />
        <source>These changes are saved on this computer and will be sent at the next sync.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/pending.py" line="37" />
        <source>Everything is synced.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/pending.py" line="66" />
        <source>New</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/pending.py" line="66" />
        <source>Changed</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/pending.py" line="66" />
        <source>Deleted</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/pending.py" line="67" />
        <source>Brought back</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/pending.py" line="70" />
        <source>Waiting to sync</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/pending.py" line="71" />
        <source>Refused by the server</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/pending.py" line="74" />
        <source>Being sent…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/pending.py" line="98" />
        <source>The server refused this change.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/pending.py" line="109" />
        <source>Edit and retry…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/pending.py" line="113" />
        <source>Retry</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/pending.py" line="117" />
        <location filename="../../ui/pages/pending.py" line="132" />
        <source>Discard change</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/pending.py" line="127" />
        <source>Discard “%1”? It was never synced, so it will be removed.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/pending.py" line="128" />
        <source>Discard your changes to “%1”? It goes back to what the server has.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/pending.py" line="129" />
        <source>Undo deleting “%1”?</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/pending.py" line="130" />
        <source>Discard bringing back “%1”? It stays deleted, as it is on the server.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/pending.py" line="131" />
        <source>Discard the change to “%1”?</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/pending.py" line="133" />
        <source>Discard</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>Pipeline</name>
    <message>
        <location filename="../../ui/sales/pipeline.py" line="230" />
        <source>No close date</source>
        <extracomment>Types whose change may change the board. (opportunity id, from stage, to stage)</extracomment>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/sales/pipeline.py" line="636" />
        <source>Say why the opportunity was won or lost; it was not moved.</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>PipelinePage</name>
    <message>
        <location filename="../../ui/sales/pipeline.py" line="350" />
        <source>Pipeline</source>
        <extracomment>(record type, id): open a record's detail. The board finished loading (tests, and the window's status). A move was saved.</extracomment>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/sales/pipeline.py" line="354" />
        <source>Everyone</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/sales/pipeline.py" line="357" />
        <source>Closing from</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/sales/pipeline.py" line="362" />
        <source>to</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/sales/pipeline.py" line="375" />
        <source>New opportunity…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/sales/pipeline.py" line="386" />
        <source>Owner:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/sales/pipeline.py" line="398" />
        <source>No pipeline stages yet. They come from the server with the first sync.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/sales/pipeline.py" line="438" />
        <source>Me</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../../ui/sales/pipeline.py" line="525" />
        <source>%n open opportunity(s)</source>
        <translation>
            <numerusform>%n open opportunity</numerusform>
            <numerusform>%n open opportunities</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/sales/pipeline.py" line="527" />
        <source>weighted %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/sales/pipeline.py" line="552" />
        <source>Open</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/sales/pipeline.py" line="553" />
        <source>Move to</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/sales/pipeline.py" line="589" />
        <source>Why was this opportunity won?</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/sales/pipeline.py" line="590" />
        <source>Why was this opportunity lost?</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/sales/pipeline.py" line="591" />
        <source>Move to %1</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>PreviewPage</name>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="347" />
        <source>Check before importing</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="353" />
        <location filename="../../ui/dialogs/import_wizard.py" line="356" />
        <source>Line</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="353" />
        <source>Problem</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="356" />
        <source>Row</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="356" />
        <source>Looks like</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="357" />
        <source>Why</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="357" />
        <source>Will be</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="358" />
        <source>Double-click to open the existing record</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="369" />
        <source>Skipped</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="370" />
        <source>Merged into the existing record</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="371" />
        <source>Imported as new</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="374" />
        <source>Selected rows:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="376" />
        <source>Skip</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="376" />
        <source>Merge</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="377" />
        <source>Import as new</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="377" />
        <source>Use the default</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="389" />
        <source>Save the problem rows…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="391" />
        <source>A CSV of the rows left out, with their line and problem, to fix and import again</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="403" />
        <source>Problems</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="404" />
        <source>Possible duplicates</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="408" />
        <source>Import the whole file or nothing</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="419" />
        <source>Skip them</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="420" />
        <source>Merge into the existing record (fill its empty fields)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="421" />
        <source>Import them as new records</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="435" />
        <source>Rows with the same email or phone as an existing record:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="436" />
        <source>Rows whose name alone matches:</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../../ui/dialogs/import_wizard.py" line="465" />
        <source>%n row(s) can be imported.</source>
        <translation>
            <numerusform>%n row can be imported.</numerusform>
            <numerusform>%n rows can be imported.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/dialogs/import_wizard.py" line="467" />
        <source>%n row(s) have problems (listed below with their line numbers).</source>
        <translation>
            <numerusform>%n row has problems (listed below with their line numbers).</numerusform>
            <numerusform>%n rows have problems (listed below with their line numbers).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/dialogs/import_wizard.py" line="470" />
        <source>%n row(s) look like records you already have.</source>
        <translation>
            <numerusform>%n row looks like records you already have.</numerusform>
            <numerusform>%n rows look like records you already have.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/dialogs/import_wizard.py" line="473" />
        <source>%n new %1 will be created by name.</source>
        <translation>
            <numerusform>%n new %1 will be created by name.</numerusform>
            <numerusform>%n new %1 will be created by name.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="475" />
        <source>Import only the good rows (%1 %2)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="492" />
        <source>line %1 of this file</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="498" />
        <source>Problems (%1)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="499" />
        <source>Possible duplicates (%1)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="508" />
        <source>Save the problem rows</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="509" />
        <source>CSV (*.csv)</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../../ui/dialogs/import_wizard.py" line="513" />
        <source>Saved %n problem row(s).</source>
        <translation>
            <numerusform>Saved %n problem row.</numerusform>
            <numerusform>Saved %n problem rows.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="547" />
        <source>The check was stopped.</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../../ui/dialogs/import_wizard.py" line="558" />
        <source>The file has %n row(s) with problems, so “the whole file or nothing” would import nothing. Fix the file, or import only the good rows.</source>
        <translation>
            <numerusform>The file has %n row with problems, so “the whole file or nothing” would import nothing. Fix the file, or import only the good rows.</numerusform>
            <numerusform>The file has %n rows with problems, so “the whole file or nothing” would import nothing. Fix the file, or import only the good rows.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="562" />
        <source>There is nothing to import.</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>RecordFormDialog</name>
    <message>
        <location filename="../../ui/dialogs/record_form.py" line="231" />
        <source>Edit %1</source>
        <extracomment>The record id, after a successful save.</extracomment>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/record_form.py" line="232" />
        <source>New %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/record_form.py" line="406" />
        <source>(nobody)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/record_form.py" line="348" />
        <location filename="../../ui/dialogs/record_form.py" line="413" />
        <source>YYYY-MM-DD</source>
        <extracomment>The record's custom values; editors exist only for active definitions. "Save and merge": the existing record to merge the new one with.</extracomment>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/record_form.py" line="350" />
        <source>a number, e.g. 1200.50</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/record_form.py" line="415" />
        <source>YYYY-MM-DD HH:MM (local time)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/record_form.py" line="417" />
        <source>e.g. EUR</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/record_form.py" line="589" />
        <source>Choose what kind of record it is first</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/record_form.py" line="592" />
        <source>Pick an %1 from the list</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/record_form.py" line="593" />
        <source>Pick a %1 from the list</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/record_form.py" line="611" />
        <source>This may already exist. Open it, or save anyway:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/record_form.py" line="621" />
        <source>Open</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/record_form.py" line="625" />
        <source>Save and merge…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/record_form.py" line="627" />
        <source>Save this record, then merge it with the existing one field by field</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/record_form.py" line="632" />
        <source>Save anyway</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/record_form.py" line="647" />
        <source>Save</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>RecordListModel</name>
    <message>
        <location filename="../../ui/models/record_list.py" line="238" />
        <source>Click to sort</source>
        <extracomment>The list's count changed (after a load). True while a new list is being fetched. A load finished (the first page is shown). Custom fields shown as extra columns (names), and their headings.</extracomment>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/models/record_list.py" line="259" />
        <source>Changed here, not yet synced</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/models/record_list.py" line="278" />
        <source>Name</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/models/record_list.py" line="278" />
        <source>Subject</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/models/record_list.py" line="279" />
        <source>Account</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/models/record_list.py" line="280" />
        <source>Job title</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/models/record_list.py" line="281" />
        <source>Industry</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/models/record_list.py" line="282" />
        <source>Email</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/models/record_list.py" line="283" />
        <source>Phone</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/models/record_list.py" line="284" />
        <source>City</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/models/record_list.py" line="285" />
        <source>Owner</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/models/record_list.py" line="286" />
        <source>Updated</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/models/record_list.py" line="287" />
        <source>Company</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/models/record_list.py" line="288" />
        <source>Status</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/models/record_list.py" line="289" />
        <source>Rating</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/models/record_list.py" line="290" />
        <source>Source</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/models/record_list.py" line="291" />
        <source>Stage</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/models/record_list.py" line="292" />
        <source>Amount</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/models/record_list.py" line="293" />
        <source>Probability</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/models/record_list.py" line="294" />
        <source>Close date</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/models/record_list.py" line="295" />
        <source>Kind</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/models/record_list.py" line="296" />
        <source>Due date</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/models/record_list.py" line="297" />
        <source>Starts</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/models/record_list.py" line="298" />
        <source>Done</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/models/record_list.py" line="299" />
        <source>Related to</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/models/record_list.py" line="300" />
        <source>Contact</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/models/record_list.py" line="301" />
        <source>Priority</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/models/record_list.py" line="302" />
        <source>Due</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/models/record_list.py" line="303" />
        <source>Type</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/models/record_list.py" line="304" />
        <source>Start date</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/models/record_list.py" line="305" />
        <source>End date</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/models/record_list.py" line="306" />
        <source>Budget</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/models/record_list.py" line="307" />
        <source>Members</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>RecordListPage</name>
    <message>
        <location filename="../../ui/pages/record_list.py" line="142" />
        <source>New %1</source>
        <extracomment>The number of records shown changed (for the window's status).</extracomment>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/record_list.py" line="147" />
        <source>Open</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/record_list.py" line="149" />
        <source>Open the selected record (Enter)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/record_list.py" line="151" />
        <location filename="../../ui/pages/record_list.py" line="282" />
        <location filename="../../ui/pages/record_list.py" line="284" />
        <source>Delete</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/record_list.py" line="156" />
        <source>Merge…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/record_list.py" line="158" />
        <source>Merge the two selected records into one (select two rows)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/record_list.py" line="167" />
        <source>Import…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/record_list.py" line="169" />
        <source>Import records from a CSV, Excel or vCard file</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/record_list.py" line="173" />
        <source>CSV (Excel, Google Sheets…)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/record_list.py" line="174" />
        <source>Excel workbook (.xlsx)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/record_list.py" line="175" />
        <source>vCard address book (.vcf)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/record_list.py" line="184" />
        <source>Export</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/record_list.py" line="185" />
        <source>Export this list, as filtered and sorted</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/record_list.py" line="207" />
        <source>Columns</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/record_list.py" line="208" />
        <source>Show custom fields as columns</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/record_list.py" line="283" />
        <source>Delete “%1”? The deletion is synced to everyone.</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../../ui/pages/record_list.py" line="421" />
        <source>%n matching record(s)</source>
        <translation>
            <numerusform>%n matching record</numerusform>
            <numerusform>%n matching records</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/pages/record_list.py" line="423" />
        <source>%n record(s)</source>
        <translation>
            <numerusform>%n record</numerusform>
            <numerusform>%n records</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/pages/record_list.py" line="427" />
        <source>About %n record(s)</source>
        <translation>
            <numerusform>About %n record</numerusform>
            <numerusform>About %n records</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/pages/record_list.py" line="432" />
        <source>Searching…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/record_list.py" line="432" />
        <source>Loading…</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>RecordPicker</name>
    <message>
        <location filename="../../ui/dialogs/record_form.py" line="99" />
        <source>Choose the kind of record first</source>
        <extracomment>Fields whose choices are configuration synced from the server.</extracomment>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/record_form.py" line="102" />
        <source>Type to search %1</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>RecordTypes</name>
    <message>
        <location filename="../../ui/marketing/campaign_members.py" line="55" />
        <source>Lead</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/marketing/campaign_members.py" line="56" />
        <source>Contact</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>ReminderToast</name>
    <message>
        <location filename="../../ui/workspace.py" line="43" />
        <source>Reminder</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/workspace.py" line="47" />
        <source>Open My day</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/workspace.py" line="49" />
        <source>Dismiss</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>Setup</name>
    <message>
        <location filename="../../ui/dialogs/setup.py" line="43" />
        <source>Yes</source>
        <extracomment>The configuration types, in the order of their tabs.</extracomment>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/setup.py" line="43" />
        <source>No</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>SetupDialog</name>
    <message>
        <location filename="../../ui/dialogs/setup.py" line="162" />
        <source>Setup</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/setup.py" line="165" />
        <source>Pipeline stages, service levels and custom fields are shared by everyone. Only administrators may change them: the server refuses anyone else's change, which then waits in Pending changes with the reason, to be discarded there.</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <location filename="../../ui/dialogs/sign_in.py" line="63" />
        <location filename="../../ui/dialogs/sign_in.py" line="82" />
        <source>Sign in</source>
        <extracomment>The signed-in user's email.</extracomment>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/sign_in.py" line="71" />
        <source>Enter the address of your CRM server. You sign in with your browser.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/sign_in.py" line="96" />
        <source>Continue in your browser…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/sign_in.py" line="99" />
        <source>Cancel</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/sign_in.py" line="117" />
        <source>Enter a web address starting with http:// or https://</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>StageColumn</name>
    <message>
        <location filename="../../ui/sales/pipeline.py" line="259" />
        <source>Other stages</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/sales/pipeline.py" line="288" />
        <source>Show more</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/sales/pipeline.py" line="315" />
        <source>Weighted: %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/sales/pipeline.py" line="316" />
        <source>No amounts</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/sales/pipeline.py" line="320" />
        <source>Show more (%1 of %2 shown)</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <location filename="../../ui/status_bar.py" line="69" />
        <source>Show changes not yet synced</source>
        <extracomment>What the last sync did that the user must know (records that left, a full resync).</extracomment>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="73" />
        <source>Show edits that clashed with someone else's</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="75" />
        <source>Sync now</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="78" />
        <source>Sign in…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="154" />
        <source>All changes synced</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../../ui/status_bar.py" line="154" />
        <source>%n unsynced change(s)</source>
        <translation>
            <numerusform>%n unsynced change</numerusform>
            <numerusform>%n unsynced changes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/status_bar.py" line="159" />
        <source>%n conflict(s)</source>
        <translation>
            <numerusform>%n conflict</numerusform>
            <numerusform>%n conflicts</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="183" />
        <source>You were offline longer than the server keeps its history, so everything was downloaded again. Your unsynced changes were kept.</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../../ui/status_bar.py" line="186" />
        <source>Removed from this computer: %n record(s) you no longer have access to (reassigned or no longer shared).</source>
        <translation>
            <numerusform>Removed from this computer: %n record you no longer have access to (reassigned or no longer shared).</numerusform>
            <numerusform>Removed from this computer: %n records you no longer have access to (reassigned or no longer shared).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/status_bar.py" line="189" />
        <source>Your unsynced changes to %n of them are kept in Conflicts.</source>
        <translation>
            <numerusform>Your unsynced changes to %n of them are kept in Conflicts.</numerusform>
            <numerusform>Your unsynced changes to %n of them are kept in Conflicts.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/status_bar.py" line="192" />
        <source>Moved to Conflicts: %n record(s) the server no longer has.</source>
        <translation>
            <numerusform>Moved to Conflicts: %n record the server no longer has.</numerusform>
            <numerusform>Moved to Conflicts: %n records the server no longer has.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="226" />
        <source>Online</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="226" />
        <source>Offline</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="228" />
        <source>Up to date</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="229" />
        <source>Syncing…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="230" />
        <source>Offline — changes are saved here and synced later</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="231" />
        <source>Sync failed</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="232" />
        <source>Not signed in</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="237" />
        <source>Sync failed: %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="245" />
        <source>Never synced</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="247" />
        <source>Synced %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="254" />
        <source>just now</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../../ui/status_bar.py" line="257" />
        <source>%n min ago</source>
        <translation>
            <numerusform>%n min ago</numerusform>
            <numerusform>%n min ago</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/status_bar.py" line="260" />
        <source>%n hour(s) ago</source>
        <translation>
            <numerusform>%n hour ago</numerusform>
            <numerusform>%n hours ago</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/status_bar.py" line="261" />
        <source>%n day(s) ago</source>
        <translation>
            <numerusform>%n day ago</numerusform>
            <numerusform>%n days ago</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TagsEdit</name>
    <message>
        <location filename="../../ui/dialogs/record_form.py" line="195" />
        <source>e.g. customer, trade fair 2026, vip</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>Workspace</name>
    <message numerus="yes">
        <location filename="../../ui/workspace.py" line="167" />
        <source>%n reminder(s)</source>
        <translation>
            <numerusform>%n reminder</numerusform>
            <numerusform>%n reminders</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>box</name>
    <message>
        <location filename="../../ui/dialogs/crash.py" line="22" />
        <source>Unexpected error</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/crash.py" line="23" />
        <source>Something unexpected went wrong. This is a bug in the app; your data is safe.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/crash.py" line="25" />
        <source>Please report it and attach the log file:
%1</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>parent</name>
    <message>
        <location filename="../../ui/dialogs/export.py" line="46" />
        <source>Exporting…</source>
        <extracomment>The progress dialog appears only for exports that take longer than this.</extracomment>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/export.py" line="46" />
        <source>Cancel</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/export.py" line="48" />
        <source>Export</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/export.py" line="105" />
        <source>Export %1</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>self._parent</name>
    <message>
        <location filename="../../ui/dialogs/export.py" line="72" />
        <source>Exporting… %1 / %2</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../../ui/dialogs/export.py" line="83" />
        <source>Exported %n record(s) to %1.</source>
        <translation>
            <numerusform>Exported %n record to %1.</numerusform>
            <numerusform>Exported %n records to %1.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/dialogs/export.py" line="85" />
        <source>%n value(s) longer than an Excel cell allows were cut.</source>
        <translation>
            <numerusform>%n value longer than an Excel cell allows were cut.</numerusform>
            <numerusform>%n values longer than an Excel cell allows were cut.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>widget</name>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="72" />
        <source>Reading the file…</source>
        <extracomment>Rows shown in the problem and duplicate tables (the counts are always exact). Rows scanned for the mapping step's example values.</extracomment>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="73" />
        <source>Checking rows…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="74" />
        <source>Looking for duplicates…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="75" />
        <source>Importing…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/dialogs/import_wizard.py" line="76" />
        <source>Saving…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/record_list.py" line="61" />
        <source>Search contacts by name, email, phone or city</source>
        <extracomment>Default column widths (no resize-to-contents over a million rows).</extracomment>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/record_list.py" line="62" />
        <source>Search accounts by name, email, phone or city</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/record_list.py" line="63" />
        <source>Search leads by name, company, email, phone or city</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/record_list.py" line="64" />
        <source>Search opportunities by name or next step</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/record_list.py" line="65" />
        <source>Search activities by subject</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/record_list.py" line="66" />
        <source>Search cases by subject</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/record_list.py" line="67" />
        <source>Search campaigns by name</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/pages/record_list.py" line="69" />
        <source>Search</source>
        <translation type="unfinished" />
    </message>
</context>
</TS>