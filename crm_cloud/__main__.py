from crm_cloud.cli import main

raise SystemExit(main())
